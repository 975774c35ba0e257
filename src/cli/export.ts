import type { CliCommand } from './command.js';
import { parseCommandArgs, parseCount } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { openConfiguredStore } from '../open-configured-store.js';
import { exportLog } from '../eventstore/log-file.js';

const options = { ...storeOptions, output: { type: 'string', short: 'o' }, 'until-position': { type: 'string' } } as const;

export const exportCommand: CliCommand = {
  words: ['export'],
  summary: 'write the event log as NDJSON (a header line, then one event per line)',
  help: [
    'Usage: redfish-emulator export [--output FILE] [--until-position N] [options]',
    '',
    'Writes the log to FILE (or standard output): a header with the schema and emulator',
    'versions and the event count, then every event in position order. `import` reads it.',
    '',
    'Options:',
    '  -o, --output FILE     where to write (default: standard output)',
    '  --until-position N    only the events up to position N',
    STORE_OPTIONS_HELP,
  ].join('\n'),
  async run(argv) {
    const { values } = parseCommandArgs(argv, options);
    const until = values['until-position'] === undefined ? undefined : parseCount(values['until-position'], '--until-position');
    const { store } = openConfiguredStore(configFromOptions(values), { mustExist: true });
    try {
      const header = exportLog(store.db, values.output ?? '-', until);
      if (values.output) console.error(`exported ${header.count} events to ${values.output}`);
      return 0;
    } finally {
      store.db.close();
    }
  },
};
