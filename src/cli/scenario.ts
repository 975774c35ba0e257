import type { CliCommand } from './command.js';
import { parseCommandArgs, parseCount, parseWithOneArgument, UsageError } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { openConfiguredStore } from '../open-configured-store.js';
import { loadConfig } from '../config/load-config.js';
import { exportScenario } from '../scenario/export-scenario.js';
import { loadScenarioFor, replayScenario, type ReplayReport, type SandboxPlace } from '../scenario/replay-scenario.js';
import { formatReplayProgress } from '../progress/progress-line.js';
import { catchInterruptions } from './interruption.js';
import { countProgress } from '../progress/count-progress.js';
import { progressDisplay, progressOptions, PROGRESS_OPTIONS_HELP } from './progress-options.js';
import { FILE_OUTPUT_NOTES, runInterruptibly } from './run-interruptibly.js';

const exportOptions = {
  ...storeOptions,
  ...progressOptions,
  output: { type: 'string', short: 'o' },
  'from-position': { type: 'string' },
  'to-position': { type: 'string' },
  'from-mark': { type: 'string' },
  'to-mark': { type: 'string' },
  actor: { type: 'string' },
} as const;

export const scenarioExportCommand: CliCommand = {
  words: ['scenario', 'export'],
  summary: 'write what clients did in a range of the log as a scenario file, to replay on a fresh lab',
  help: [
    'Usage: redfish-emulator scenario export [--output FILE] [range] [options]',
    '',
    'Writes NDJSON: a header (emulator and schema versions, the lab the log ran against, the',
    'range, a digest of the rest), then each command a client sent (a Redfish request, a drive',
    'fault) with what it caused and the outcomes the lab produced, then every Redfish resource as',
    'it was at the end of the range. Commands before the range are kept as setup: a replay runs',
    'them first, as fast as it can, to bring a fresh lab to where the range starts.',
    '',
    'Range (the whole log by default):',
    '  --from-position N / --to-position N    positions of the log',
    '  --from-mark NAME / --to-mark NAME      marks placed with `redfish-emulator mark NAME`',
    "  --actor ACTOR                          only this client's commands, e.g. user:admin",
    '',
    'Options:',
    '  -o, --output FILE     where to write (default: standard output); it appears only once',
    '                        complete, and not at all when interrupted (exit code 130 or 143)',
    PROGRESS_OPTIONS_HELP,
    '  --config FILE must describe the lab the emulator ran with: the export checks it against the log.',
    STORE_OPTIONS_HELP,
  ].join('\n'),
  async run(argv) {
    const { values } = parseCommandArgs(argv, exportOptions);
    if (values['from-position'] !== undefined && values['from-mark'] !== undefined)
      throw new UsageError('give --from-position or --from-mark, not both');
    if (values['to-position'] !== undefined && values['to-mark'] !== undefined)
      throw new UsageError('give --to-position or --to-mark, not both');
    const config = configFromOptions(values);
    const { store } = openConfiguredStore(config, { mustExist: true });
    const display = progressDisplay(values, values.output === undefined);
    try {
      return await runInterruptibly(display, FILE_OUTPUT_NOTES, async (signal) => {
        const header = await exportScenario(
          store,
          config,
          {
            ...(values['from-position'] !== undefined && {
              fromPosition: parseCount(values['from-position'], '--from-position'),
            }),
            ...(values['to-position'] !== undefined && {
              toPosition: parseCount(values['to-position'], '--to-position'),
            }),
            ...(values['from-mark'] !== undefined && { fromMark: values['from-mark'] }),
            ...(values['to-mark'] !== undefined && { toMark: values['to-mark'] }),
            ...(values.actor !== undefined && { actor: values.actor }),
          },
          values.output ?? '-',
          { signal, onProgress: countProgress(display, 'scenario export') },
        );
        display.clear();
        if (values.output)
          console.error(
            `exported ${header.steps} steps (positions ${header.range.fromPosition} to ${header.range.toPosition}) and ${header.views} resources to ${values.output}`,
          );
      });
    } finally {
      store.db.close();
    }
  },
};

const replayOptions = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  pace: { type: 'string' },
  'wait-seconds': { type: 'string' },
  keep: { type: 'boolean' },
  json: { type: 'boolean' },
  'no-lab': { type: 'boolean' },
  ...progressOptions,
} as const;

function describePlace(place: SandboxPlace): string {
  return `store in ${place.dataDir}, pool ${place.pool ?? '(none)'}, domains ${place.domains.join(', ') || '(none)'}`;
}

function printReport(report: ReplayReport): void {
  const verdict = report.interrupted
    ? `INTERRUPTED at step ${report.interrupted.atStep} of`
    : report.equal
      ? 'EQUAL:'
      : 'DIFFERENT:';
  const lines = [
    `${verdict} ${report.steps} steps (${report.setupSteps} setup), ${report.events} events, ${(report.durationMs / 1000).toFixed(1)} s`,
    ...report.stepDifferences.map(
      (d) =>
        `step ${d.position} ${d.command}: recorded ${d.recorded.join(', ') || 'nothing'}, replayed ${Array.isArray(d.replayed) ? d.replayed.join(', ') || 'nothing' : `refused (${(d.replayed as { refused: string }).refused})`}`,
    ),
    ...report.outcomeDifferences.map((d) => `step ${d.position}: no ${d.missing.join(', ')} within the wait`),
    ...report.viewDifferences.flatMap((d) =>
      d.kind === 'changed'
        ? d.changes.map((c) =>
            `${d.resource}: ${c.op} ${c.path} ${'previous' in c ? `was ${JSON.stringify(c.previous)}` : ''} ${'value' in c ? `replayed ${JSON.stringify(c.value)}` : ''}`.trimEnd(),
          )
        : [`${d.resource}: ${d.kind === 'missing' ? 'recorded, not replayed' : 'replayed, not recorded'}`],
    ),
    report.sandbox.kept ? `sandbox kept: ${describePlace(report.sandbox)}` : 'sandbox removed',
  ];
  console.log(lines.join('\n'));
}

export const scenarioReplayCommand: CliCommand = {
  words: ['scenario', 'replay'],
  summary: 'replay a scenario on a fresh store and a sandbox lab, and compare the result with the recording',
  help: [
    'Usage: redfish-emulator scenario replay FILE [options]',
    '',
    'Checks the whole file first (format and schema versions, digest, counts, every command) and',
    'that --config describes the lab it was recorded on; anything wrong is refused before',
    'anything is done. Then makes a sandbox of that lab, its pool and domains named with a',
    '-replay-XXXXXX suffix (never the live ones), sends each command again as its client did,',
    'lets the reconciler carry it out on libvirt and waits for the outcomes the recording had,',
    'and compares every Redfish resource with the recorded one (times and UUIDs aside).',
    'Exit code 0 when all is equal, 1 when anything differs (each difference is listed).',
    '',
    'On a terminal it shows the step it is at, what it waits for and for how long, and the',
    'differences so far. Ctrl-C or SIGTERM stops it at the current step: the sandbox is removed',
    '(or kept, with --keep), the report of the steps so far is printed, and the exit code is',
    '130 (SIGINT) or 143 (SIGTERM). A second Ctrl-C exits at once and says what it left;',
    '`scenario sandboxes --remove` removes it then.',
    '',
    'Options:',
    '  --pace fast|original   as fast as the lab allows (default), or no sooner than recorded',
    "  --wait-seconds N       how long a step's outcomes are waited for (default 60)",
    '  --keep                 leave the sandbox store, pool and domains in place',
    '  --json                 the report as JSON',
    '  --no-lab               the log and views only, without libvirt',
    '  --config FILE          the lab (default: the embedded demo lab; env REDFISH_EMULATOR_CONFIG)',
    '  --data-dir DIR         a new directory for the sandbox store (default: a temporary one)',
    PROGRESS_OPTIONS_HELP,
  ].join('\n'),
  async run(argv) {
    const { values, argument: file } = parseWithOneArgument(argv, replayOptions, 'scenario FILE');
    const pace = values.pace ?? 'fast';
    if (pace !== 'fast' && pace !== 'original') throw new UsageError(`--pace is fast or original, got '${pace}'`);
    const config = loadConfig({ file: values.config });
    const waitSeconds =
      values['wait-seconds'] === undefined ? 60 : parseCount(values['wait-seconds'], '--wait-seconds');
    const scenario = loadScenarioFor(file, config);
    const display = progressDisplay(values);
    let place: SandboxPlace | undefined;
    const interruption = catchInterruptions(
      (signal) =>
        display.message(
          `${signal}: stopping at the current step${values.keep ? '' : ' and removing the sandbox'}… (again to exit at once)`,
        ),
      () =>
        place
          ? `Left in place: ${describePlace(place)}; 'redfish-emulator scenario sandboxes --remove' removes the pool and domains.`
          : 'Nothing was made yet.',
    );
    const report = await replayScenario(scenario, config, {
      pace,
      waitSeconds,
      keep: values.keep ?? false,
      withLab: !(values['no-lab'] ?? false),
      ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }),
      log: (line) => display.message(line),
      signal: interruption.signal,
      onProgress: (state) => display.update(() => formatReplayProgress(state)),
      onSandbox: (where) => (place = where),
    }).finally(() => {
      display.clear();
      interruption.dispose();
    });
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else printReport(report);
    return interruption.exitCode ?? (report.equal ? 0 : 1);
  },
};
