import type { CliCommand } from './command.js';
import { parseWithOneArgument } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { openConfiguredStore } from '../open-configured-store.js';
import { executeCommand } from '../eventstore/execute-command.js';
import { MARKS_STREAM, marksDecider } from '../domain/marks/marks-decider.js';
import { RedfishHttpError } from '../redfish/redfish-error.js';

/** `mark NAME`: names the current end of the log, for `scenario export --from-mark/--to-mark`. */
export const markCommand: CliCommand = {
  words: ['mark'],
  summary: 'name the current end of the log, to export a scenario between two marks',
  help: [
    'Usage: redfish-emulator mark NAME [options]',
    '',
    'Records a mark at the end of the log (of a running emulator, or of a stopped one). Place one',
    'before a client starts and one after it is done; `scenario export --from-mark A --to-mark B`',
    'then exports what happened between them. Names are letters, digits, . _ and -, and unique.',
    '',
    'Options:',
    STORE_OPTIONS_HELP,
  ].join('\n'),
  async run(argv) {
    const { values, argument: name } = parseWithOneArgument(argv, storeOptions, 'NAME');
    const { store } = openConfiguredStore(configFromOptions(values), { mustExist: true });
    try {
      const outcome = executeCommand(
        store,
        MARKS_STREAM,
        marksDecider,
        { type: 'PlaceMark', name: name },
        { actor: 'cli' },
      );
      if (!outcome.ok) {
        console.error(
          `redfish-emulator: ${RedfishHttpError.fromProblems([outcome.problem])
            .messages.map((m) => m.Message)
            .join(' ')}`,
        );
        return 1;
      }
      console.log(`mark ${name} at position ${store.lastPosition()}`);
      return 0;
    } finally {
      store.db.close();
    }
  },
};
