import type { CliCommand } from './command.js';
import { parseCommandArgs, parseCount, parseWithOneArgument, UsageError } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { openConfiguredStore } from '../open-configured-store.js';
import { loadConfig } from '../config/load-config.js';
import { exportScenario } from '../scenario/export-scenario.js';
import { loadScenarioFor, replayScenario, type ReplayReport } from '../scenario/replay-scenario.js';

const exportOptions = {
  ...storeOptions,
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
    '  --actor ACTOR                          only this client\'s commands, e.g. user:admin',
    '',
    'Options:',
    '  -o, --output FILE     where to write (default: standard output)',
    '  --config FILE must describe the lab the emulator ran with: the export checks it against the log.',
    STORE_OPTIONS_HELP,
  ].join('\n'),
  async run(argv) {
    const { values } = parseCommandArgs(argv, exportOptions);
    if (values['from-position'] !== undefined && values['from-mark'] !== undefined) throw new UsageError('give --from-position or --from-mark, not both');
    if (values['to-position'] !== undefined && values['to-mark'] !== undefined) throw new UsageError('give --to-position or --to-mark, not both');
    const config = configFromOptions(values);
    const { store } = openConfiguredStore(config, { mustExist: true });
    try {
      const header = exportScenario(store, config, {
        ...(values['from-position'] !== undefined && { fromPosition: parseCount(values['from-position'], '--from-position') }),
        ...(values['to-position'] !== undefined && { toPosition: parseCount(values['to-position'], '--to-position') }),
        ...(values['from-mark'] !== undefined && { fromMark: values['from-mark'] }),
        ...(values['to-mark'] !== undefined && { toMark: values['to-mark'] }),
        ...(values.actor !== undefined && { actor: values.actor }),
      }, values.output ?? '-');
      if (values.output) console.error(`exported ${header.steps} steps (positions ${header.range.fromPosition} to ${header.range.toPosition}) and ${header.views} resources to ${values.output}`);
      return 0;
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
} as const;

function printReport(report: ReplayReport): void {
  const lines = [
    `${report.equal ? 'EQUAL' : 'DIFFERENT'}: ${report.steps} steps (${report.setupSteps} setup), ${report.events} events, ${(report.durationMs / 1000).toFixed(1)} s`,
    ...report.stepDifferences.map((d) => `step ${d.position} ${d.command}: recorded ${d.recorded.join(', ') || 'nothing'}, replayed ${Array.isArray(d.replayed) ? d.replayed.join(', ') || 'nothing' : `refused (${(d.replayed as { refused: string }).refused})`}`),
    ...report.outcomeDifferences.map((d) => `step ${d.position}: no ${d.missing.join(', ')} within the wait`),
    ...report.viewDifferences.flatMap((d) =>
      d.kind === 'changed' ? d.changes.map((c) => `${d.resource}: ${c.op} ${c.path} ${'previous' in c ? `was ${JSON.stringify(c.previous)}` : ''} ${'value' in c ? `replayed ${JSON.stringify(c.value)}` : ''}`.trimEnd()) : [`${d.resource}: ${d.kind === 'missing' ? 'recorded, not replayed' : 'replayed, not recorded'}`],
    ),
    report.sandbox.kept ? `sandbox kept: store in ${report.sandbox.dataDir}, pool ${report.sandbox.pool ?? '(none)'}, domains ${report.sandbox.domains.join(', ')}` : 'sandbox removed',
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
    'Options:',
    '  --pace fast|original   as fast as the lab allows (default), or no sooner than recorded',
    '  --wait-seconds N       how long a step\'s outcomes are waited for (default 60)',
    '  --keep                 leave the sandbox store, pool and domains in place',
    '  --json                 the report as JSON',
    '  --no-lab               the log and views only, without libvirt',
    '  --config FILE          the lab (default: the embedded demo lab; env REDFISH_EMULATOR_CONFIG)',
    '  --data-dir DIR         a new directory for the sandbox store (default: a temporary one)',
  ].join('\n'),
  async run(argv) {
    const { values, argument: file } = parseWithOneArgument(argv, replayOptions, 'scenario FILE');
    const pace = values.pace ?? 'fast';
    if (pace !== 'fast' && pace !== 'original') throw new UsageError(`--pace is fast or original, got '${pace}'`);
    const config = loadConfig({ file: values.config });
    const scenario = loadScenarioFor(file, config);
    const report = await replayScenario(scenario, config, {
      pace,
      waitSeconds: values['wait-seconds'] === undefined ? 60 : parseCount(values['wait-seconds'], '--wait-seconds'),
      keep: values.keep ?? false,
      withLab: !(values['no-lab'] ?? false),
      ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }),
      log: (line) => console.error(line),
    });
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else printReport(report);
    return report.equal ? 0 : 1;
  },
};
