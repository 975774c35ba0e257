import type { CliCommand } from './command.js';
import { parseCommandArgs, UsageError } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { openConfiguredStore } from '../open-configured-store.js';
import { queryHistory, type HistoryFilter } from '../eventstore/history-query.js';
import { HISTORY_OPTIONS, HistoryOptionError, parseHistoryOptions, type HistoryOptionValues } from '../eventstore/history-options.js';
import type { RecordedEvent } from '../eventstore/event.js';

const options = {
  ...storeOptions,
  stream: { type: 'string' },
  resource: { type: 'string' },
  type: { type: 'string', multiple: true },
  actor: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  after: { type: 'string' },
  'until-position': { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The filter the flags ask for; a value that does not fit is a usage error naming its flag. */
function filterFrom(values: Record<string, unknown>): HistoryFilter {
  try {
    return parseHistoryOptions(Object.fromEntries(Object.keys(HISTORY_OPTIONS).map((name) => [name, values[name]])) as HistoryOptionValues);
  } catch (err) {
    if (err instanceof HistoryOptionError) throw new UsageError(`--${err.option} takes ${err.expected}, got '${err.value}'`);
    throw err;
  }
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** One line per event: position, time, actor, type, subject, and the payload in short. */
function table(events: readonly RecordedEvent[]): string {
  const rows = events.map((e) => [
    String(e.position),
    e.recordedAt,
    e.meta.actor ?? '-',
    e.type,
    e.subject,
    clip(JSON.stringify(e.data), 80),
  ]);
  const header = ['POSITION', 'RECORDED AT', 'ACTOR', 'TYPE', 'SUBJECT', 'DATA'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

export const historyCommand: CliCommand = {
  words: ['history'],
  summary: 'list recorded events (mutations and observations), filtered',
  help: [
    'Usage: redfish-emulator history [filters] [--json]',
    '',
    'Lists the events of the log, oldest first: a table, or one JSON object per line with --json.',
    '',
    'Filters (combined with AND):',
    '  --stream ID           events of one stream (e.g. /redfish/v1/Systems/node-1)',
    '  --resource ODATA_ID   events about a resource and everything below it',
    '  --type TYPE           an event type; repeat (or separate with commas) for several',
    '  --actor ACTOR         who caused them (e.g. user:admin, reconciler)',
    '  --since TIME          recorded at or after TIME (ISO 8601)',
    '  --until TIME          recorded at or before TIME',
    '  --after N             after global position N (for paging)',
    '  --until-position N    up to and including position N',
    '  --limit N             at most N events (default 1000)',
    '',
    'Options:',
    STORE_OPTIONS_HELP,
    '  --json                JSON lines instead of a table',
  ].join('\n'),
  async run(argv) {
    const { values } = parseCommandArgs(argv, options);
    const filter = filterFrom(values);
    const { store } = openConfiguredStore(configFromOptions(values), { mustExist: true });
    try {
      const events = queryHistory(store.db, filter);
      if (values.json) {
        for (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
      } else {
        console.log(events.length === 0 ? '(no events match)' : table(events));
      }
      return 0;
    } finally {
      store.db.close();
    }
  },
};
