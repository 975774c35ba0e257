import type { CliCommand } from './command.js';
import { parseCommandArgs, UsageError } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { openConfiguredStore } from '../open-configured-store.js';
import { injectDriveFault, type DriveFault } from '../lab/drive-faults.js';
import { RedfishHttpError } from '../redfish/redfish-error.js';

const options = {
  ...storeOptions,
  system: { type: 'string' },
  storage: { type: 'string' },
  drive: { type: 'string' },
  serial: { type: 'string' },
} as const;

const WHAT: Record<DriveFault, string> = {
  fail: 'fail a drive: volumes that tolerate the loss turn Degraded, the others Failed',
  replace: 'put a new drive in a bay: degraded volumes rebuild onto it',
};

/**
 * `drive fail` and `drive replace`: fault injection from the command line, written to the store
 * a running emulator serves (it sees the change within a second) or to one that is stopped.
 */
function driveFaultCommand(fault: DriveFault): CliCommand {
  return {
    words: ['drive', fault],
    summary: WHAT[fault],
    help: [
      `Usage: redfish-emulator drive ${fault} --system ID --storage ID --drive ID [options]`,
      '',
      `${WHAT[fault][0]!.toUpperCase()}${WHAT[fault].slice(1)}.`,
      'Recorded as an event like every change, so history shows it and a replay repeats it.',
      ...(fault === 'replace'
        ? ['Replacing a working drive pulls it first (it fails, then the new one goes in).']
        : []),
      '',
      'Options:',
      '  --system ID       the system, e.g. node-1',
      '  --storage ID      its storage subsystem, e.g. RAID-Controller-1',
      '  --drive ID        the drive, e.g. 0',
      ...(fault === 'replace' ? ["  --serial TEXT     the new drive's serial number (made up when not given)"] : []),
      STORE_OPTIONS_HELP,
    ].join('\n'),
    async run(argv) {
      const { values } = parseCommandArgs(argv, options);
      for (const flag of ['system', 'storage', 'drive'] as const) {
        if (!values[flag]) throw new UsageError(`--${flag} is required`);
      }
      if (values.serial !== undefined && fault !== 'replace') throw new UsageError('--serial is for drive replace');
      const { store } = openConfiguredStore(configFromOptions(values), { mustExist: true });
      try {
        const outcome = injectDriveFault(store, {
          systemId: values.system!,
          storageId: values.storage!,
          driveId: values.drive!,
          fault,
          ...(values.serial !== undefined && { serialNumber: values.serial }),
          actor: 'cli',
        });
        if (!outcome.ok) {
          console.error(
            `redfish-emulator: ${RedfishHttpError.fromProblems([outcome.problem])
              .messages.map((m) => m.Message)
              .join(' ')}`,
          );
          return 1;
        }
        const recorded = outcome.events.map((e) => e.type).join(', ');
        console.log(recorded ? `recorded ${recorded}` : 'nothing to change: the drive is in that state already');
        return 0;
      } finally {
        store.db.close();
      }
    },
  };
}

export const driveFailCommand = driveFaultCommand('fail');
export const driveReplaceCommand = driveFaultCommand('replace');
