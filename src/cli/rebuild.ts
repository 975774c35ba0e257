import type { CliCommand } from './command.js';
import { parseCommandArgs } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { openConfiguredStore } from '../open-configured-store.js';
import { rebuildViews } from '../views/rebuild.js';
import { projectors } from '../projections/catalog.js';
import { EVENT_UPCASTERS } from '../eventstore/upcasters.js';
import { countProgress } from '../progress/count-progress.js';
import { progressDisplay, progressOptions, PROGRESS_OPTIONS_HELP } from './progress-options.js';

const options = { ...storeOptions, ...progressOptions } as const;

export const rebuildCommand: CliCommand = {
  words: ['rebuild'],
  summary: 'drop the Redfish views and project them again from the whole log',
  help: [
    'Usage: redfish-emulator rebuild [options]',
    '',
    'Replays every event from position 0 through the projections, in one transaction: the',
    'result is byte for byte what the live projections wrote. Safe while a server runs on the',
    'same store (it sees the old views until the new ones are committed). Interrupted, it',
    'leaves the views as they were.',
    '',
    'Options:',
    PROGRESS_OPTIONS_HELP,
    STORE_OPTIONS_HELP,
  ].join('\n'),
  async run(argv) {
    const { values } = parseCommandArgs(argv, options);
    const display = progressDisplay(values);
    const { store } = openConfiguredStore(configFromOptions(values), { mustExist: true });
    try {
      const started = performance.now();
      const result = rebuildViews(store.db, projectors, EVENT_UPCASTERS, countProgress(display, 'rebuild'));
      display.clear();
      const seconds = (performance.now() - started) / 1000;
      console.log(`rebuilt ${result.views} views from ${result.events} events in ${seconds.toFixed(2)} s`);
      return 0;
    } finally {
      store.db.close();
    }
  },
};
