import type { CliCommand } from './command.js';
import { parseWithOneArgument } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { openConfiguredStore } from '../open-configured-store.js';
import { importLog } from '../eventstore/log-file.js';
import { projectors } from '../projections/catalog.js';

export const importCommand: CliCommand = {
  words: ['import'],
  summary: 'load an exported NDJSON log into a new, empty store',
  help: [
    'Usage: redfish-emulator import FILE [options]',
    '',
    'Checks the whole file (header, schema version, positions, stream versions, count) and',
    'then writes every event and the views projected from them in one transaction. A',
    'truncated or edited file, or one from a newer schema, is refused and nothing is written.',
    'The target store must have no events: use a new --data-dir.',
    '',
    'Options:',
    STORE_OPTIONS_HELP,
  ].join('\n'),
  async run(argv) {
    const { values, argument: file } = parseWithOneArgument(argv, storeOptions, 'FILE to import');
    const { store } = openConfiguredStore(configFromOptions(values));
    try {
      const header = await importLog(store.db, file, projectors);
      console.log(`imported ${header.count} events (positions 1 to ${header.toPosition})`);
      return 0;
    } finally {
      store.db.close();
    }
  },
};
