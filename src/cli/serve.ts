import type { CliCommand } from './command.js';
import { parseCommandArgs, UsageError } from './command.js';
import { STORE_OPTIONS_HELP, storeOptions } from './store-options.js';
import { loadConfig } from '../config/load-config.js';
import { startEmulator } from '../app.js';
import { LOG_LEVELS, serviceLogger } from '../logging/service-logger.js';

const options = {
  ...storeOptions,
  port: { type: 'string' },
  listen: { type: 'string' },
  'libvirt-uri': { type: 'string' },
  'take-over': { type: 'boolean' },
  'log-level': { type: 'string' },
  'log-file': { type: 'string' },
  mockup: { type: 'string' },
} as const;

/** How long a stop may take before the process exits anyway. */
const STOP_PATIENCE_MS = 1000;

export const serveCommand: CliCommand = {
  words: ['serve'],
  summary: 'run the Redfish service',
  help: [
    'Usage: redfish-emulator serve [options]',
    '',
    'Serves Redfish on the configured address (default https://127.0.0.1:8000/redfish/v1) from',
    'the event store in the data directory, creating it on the first start.',
    '',
    'Options:',
    STORE_OPTIONS_HELP,
    '  --port N           TCP port, 0 for any free one (env REDFISH_EMULATOR_PORT)',
    '  --listen ADDRESS   address to listen on (env REDFISH_EMULATOR_LISTEN_ADDRESS)',
    '  --libvirt-uri URI  libvirt connection for the lab (env REDFISH_EMULATOR_LIBVIRT_URI)',
    "  --take-over        take over the lab's domains another store owns (key lab.takeOver)",
    `  --log-level LEVEL  ${LOG_LEVELS.join(', ')} (default info: a line per request;`,
    '                     env REDFISH_EMULATOR_LOG_LEVEL, key log.level)',
    "  --mockup DIR       serve a Redfish mockup tree (DMTF's layout) as the lab, every change an event",
    '                     (key lab.mockup.dir; no libvirt machines)',
    '  --log-file FILE    append JSON lines to FILE rather than print them (env REDFISH_EMULATOR_LOG_FILE,',
    '                     key log.file); on a terminal, printed lines are readable rather than JSON',
  ].join('\n'),
  async run(argv) {
    const { values } = parseCommandArgs(argv, options);
    let port: number | undefined;
    if (values.port !== undefined) {
      if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535)
        throw new UsageError(`--port takes a port number from 0 to 65535, got '${values.port}'`);
      port = Number(values.port);
    }
    const logLevel = values['log-level'];
    if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
      throw new UsageError(`--log-level takes one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
    }
    const config = loadConfig({
      file: values.config,
      overrides: {
        dataDir: values['data-dir'],
        port,
        listenAddress: values.listen,
        libvirtUri: values['libvirt-uri'],
        ...(values['take-over'] && { takeOver: true }),
        logLevel,
        logFile: values['log-file'],
        mockup: values.mockup,
      },
    });
    // Listened for from the start: a signal while it starts stops it once it has started.
    const signalled = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    const emulator = await startEmulator(config, {
      logger: serviceLogger(config.log),
      announce: (line) => console.log(`redfish-emulator: ${line}`),
    });
    console.log(`redfish-emulator: ${await signalled}, stopping`);
    // Whatever is under way is safe to cut (every libvirt step is checked again at the next
    // start), so a stop never waits long: a second signal, or a second gone, ends it at once.
    const exitNow = (why: string) => {
      console.log(`redfish-emulator: ${why}; exiting now, what was under way goes on at the next start`);
      process.exit(0);
    };
    process.once('SIGINT', () => exitNow('second signal'));
    process.once('SIGTERM', () => exitNow('second signal'));
    setTimeout(() => exitNow(`still stopping after ${STOP_PATIENCE_MS / 1000} s`), STOP_PATIENCE_MS).unref();
    await emulator.close();
    return 0;
  },
};
