import type { CliCommand } from './command.js';
import { parseCommandArgs, parseCount, UsageError } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { openConfiguredStore } from '../open-configured-store.js';
import { countHistory, queryHistory, type HistoryFilter } from '../eventstore/history-query.js';
import {
  HISTORY_OPTIONS,
  HistoryOptionError,
  parseHistoryOptions,
  type HistoryOptionValues,
} from '../eventstore/history-options.js';
import type { HistoryEntry } from '../eventstore/history-entry.js';
import { describedHistoryEntry } from '../projections/described-history-entry.js';
import { unknownEventTypes } from '../eventstore/unknown-event-types.js';
import { EVENT_TYPES } from '../domain/event-types.js';
import { indexEventResources } from '../projections/event-resources.js';
import type { SqliteDatabase } from '../eventstore/database.js';

/** What a listing holds unless --limit or --tail says otherwise. */
const DEFAULT_LIMIT = 1000;

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
  tail: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The filter the flags ask for; a value that does not fit is a usage error naming its flag. */
function filterFrom(values: Record<string, unknown>): HistoryFilter {
  let filter: HistoryFilter;
  try {
    filter = parseHistoryOptions(
      Object.fromEntries(Object.keys(HISTORY_OPTIONS).map((name) => [name, values[name]])) as HistoryOptionValues,
    );
  } catch (err) {
    if (err instanceof HistoryOptionError)
      throw new UsageError(`--${err.option} takes ${err.expected}, got '${err.value}'`);
    throw err;
  }
  if (typeof values['tail'] !== 'string') return { ...filter, limit: filter.limit ?? DEFAULT_LIMIT };
  if (filter.limit !== undefined)
    throw new UsageError('--tail N lists the N newest events: give it or --limit, not both');
  const tail = parseCount(values['tail'], '--tail');
  if (tail < 1) throw new UsageError(`--tail takes a number from 1, got '${values['tail']}'`);
  return { ...filter, limit: tail, newestFirst: true };
}

/** A type nothing records is a mistake: refused with the types it may have meant. */
function refuseUnknownTypes(db: SqliteDatabase, filter: HistoryFilter): void {
  const [unknown] = unknownEventTypes(db, filter.types ?? [], EVENT_TYPES);
  if (!unknown) return;
  const hint =
    unknown.nearest.length > 0
      ? `did you mean ${unknown.nearest.join(', ')}?`
      : `the event types are ${unknown.known.join(', ')}`;
  throw new UsageError(`--type '${unknown.type}' is no event type; ${hint}`);
}

/**
 * What is left beyond a listing cut at its limit, and the flags that list it: the next events
 * after the last shown, or with --tail the older ones before the oldest shown.
 */
function remainder(
  db: SqliteDatabase,
  filter: HistoryFilter,
  shown: readonly HistoryEntry[],
): { more: number; next: string[] } | undefined {
  const last = shown.at(-1);
  if (!last || shown.length < (filter.limit ?? DEFAULT_LIMIT)) return undefined;
  const more = countHistory(db, filter) - shown.length;
  if (more <= 0) return undefined;
  return {
    more,
    next: filter.newestFirst ? ['--until-position', String(last.position - 1)] : ['--after', String(last.position)],
  };
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** One line per event: position, time, actor, type, subject, and the payload in short. */
function table(entries: readonly HistoryEntry[]): string {
  const rows = entries.map((e) => [
    String(e.position),
    e.recordedAt,
    e.actor ?? '-',
    e.type,
    e.subject,
    clip(JSON.stringify(e.data), 80),
  ]);
  const header = ['POSITION', 'RECORDED AT', 'ACTOR', 'TYPE', 'SUBJECT', 'DATA'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

export const historyCommand: CliCommand = {
  words: ['history'],
  summary: 'list recorded events (mutations and observations), filtered',
  help: [
    'Usage: redfish-emulator history [filters] [--json]',
    '',
    'Lists the events of the log, oldest first (newest first with --tail): a table, or with --json',
    'one JSON object per event per line, shaped as the History API shows events.',
    '',
    'Filters (combined with AND):',
    '  --stream ID           events of one stream (e.g. /redfish/v1/Systems/node-1)',
    '  --resource ODATA_ID   events about a resource and everything below it, including those of',
    "                        its parent's stream that name it (a volume's, a drive's, a task's);",
    '                        its URL will do (https://host:8000/redfish/v1/Systems/node-1)',
    '  --type TYPE           an event type; repeat (or separate with commas) for several',
    '  --actor ACTOR         who caused them (e.g. user:admin, reconciler)',
    '  --since TIME          recorded at or after TIME: ISO 8601, or an age such as 90s, 10m, 2h, 3d, 1w',
    '  --until TIME          recorded at or before TIME (the same forms)',
    '  --after N             after global position N (for paging)',
    '  --until-position N    up to and including position N',
    `  --limit N             at most N events, oldest first (default ${DEFAULT_LIMIT})`,
    '  --tail N              the N newest events, newest first',
    '',
    'When more events match than the listing holds, a last line says how many more and which flag',
    'lists them: on standard error after the table; with --json, as a last JSON line of its own,',
    '{"more": N, "next": ["--after", "POSITION"]}, which has no "position" as events do.',
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
      refuseUnknownTypes(store.db, filter);
      if (filter.resource !== undefined) await indexEventResources(store.db, store.upcasters);
      const entries = queryHistory(store.db, filter, store.upcasters).map((event) =>
        describedHistoryEntry(event, store.views),
      );
      const rest = remainder(store.db, filter, entries);
      if (values.json) {
        for (const entry of entries) process.stdout.write(`${JSON.stringify(entry)}\n`);
        if (rest) process.stdout.write(`${JSON.stringify(rest)}\n`);
      } else {
        console.log(entries.length === 0 ? '(no events match)' : table(entries));
        if (rest)
          console.error(
            `(${rest.more} more ${filter.newestFirst ? 'older ' : ''}${rest.more === 1 ? 'event matches' : 'events match'}: add ${rest.next.join(' ')} to see them)`,
          );
      }
      return 0;
    } finally {
      store.db.close();
    }
  },
};
