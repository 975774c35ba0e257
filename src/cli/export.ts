import type { CliCommand } from './command.js';
import { parseCommandArgs, parseCount } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { progressDisplay, progressOptions, PROGRESS_OPTIONS_HELP } from './progress-options.js';
import { FILE_OUTPUT_NOTES, runInterruptibly } from './run-interruptibly.js';
import { openConfiguredStore } from '../open-configured-store.js';
import { exportLog } from '../eventstore/log-file.js';
import { countProgress } from '../progress/count-progress.js';

const options = {
  ...storeOptions,
  ...progressOptions,
  output: { type: 'string', short: 'o' },
  'until-position': { type: 'string' },
} as const;

export const exportCommand: CliCommand = {
  words: ['export'],
  summary: 'write the event log as NDJSON (a header line, then one event per line)',
  help: [
    'Usage: redfish-emulator export [--output FILE] [--until-position N] [options]',
    '',
    'Writes the log to FILE (or standard output): a header with the schema and emulator',
    'versions and the event count, then every event in position order. `import` reads it.',
    'FILE appears only once complete: until then the events go to a hidden file beside it,',
    'removed if the export is interrupted (Ctrl-C: exit code 130, SIGTERM: 143).',
    '',
    'Options:',
    '  -o, --output FILE     where to write (default: standard output)',
    '  --until-position N    only the events up to position N',
    PROGRESS_OPTIONS_HELP,
    STORE_OPTIONS_HELP,
  ].join('\n'),
  async run(argv) {
    const { values } = parseCommandArgs(argv, options);
    const until =
      values['until-position'] === undefined ? undefined : parseCount(values['until-position'], '--until-position');
    const { store } = openConfiguredStore(configFromOptions(values), { mustExist: true });
    const display = progressDisplay(values, values.output === undefined);
    try {
      return await runInterruptibly(display, FILE_OUTPUT_NOTES, async (signal) => {
        const header = await exportLog(store.db, values.output ?? '-', until, {
          signal,
          onProgress: countProgress(display, 'export'),
        });
        display.clear();
        if (values.output) console.error(`exported ${header.count} events to ${values.output}`);
      });
    } finally {
      store.db.close();
    }
  },
};
