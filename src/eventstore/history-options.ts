import type { HistoryFilter } from './history-query.js';

/**
 * The filters of a history listing by the names both the CLI (`--since`) and the emulator's
 * API (`?since=`) give them, and what each takes.
 */
export const HISTORY_OPTIONS = {
  stream: 'id',
  resource: 'id',
  type: 'list',
  actor: 'text',
  since: 'time',
  until: 'time',
  after: 'count',
  'until-position': 'count',
  limit: 'count',
} as const;

export type HistoryOptionName = keyof typeof HISTORY_OPTIONS;
/** Raw values as given, each a string; `type` may be given several times. */
export type HistoryOptionValues = Partial<Record<HistoryOptionName, string | readonly string[]>>;

/** A value that does not fit its filter: the caller words it (a usage error, a 400). */
export class HistoryOptionError extends Error {
  constructor(
    readonly option: HistoryOptionName,
    readonly value: string,
    /** 'format': a time or @odata.id that does not parse; 'type': not a whole number, or given twice; 'range': a number out of range. */
    readonly problem: 'format' | 'type' | 'range',
    readonly expected: string,
  ) {
    super(`${option} takes ${expected}, got '${value}'`);
  }
}

export const isHistoryOption = (name: string): name is HistoryOptionName => Object.hasOwn(HISTORY_OPTIONS, name);

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A time as given: ISO 8601 (or anything Date reads), or an age such as 90s, 10m, 2h, 3d, 1w before `now`. */
function parseTime(value: string, now: Date): Date | undefined {
  const age = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (age) return new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2]!]!);
  const parsed = new Date(value);
  return value.trim() === '' || Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** An @odata.id as given, or the path of a URL that names it (https://bmc:8000/redfish/v1/Systems/1 → /redfish/v1/Systems/1). */
function parseResourceId(value: string): string | undefined {
  if (value.startsWith('/')) return value;
  if (!/^https?:\/\//i.test(value)) return undefined;
  try {
    return decodeURI(new URL(value).pathname);
  } catch {
    return undefined;
  }
}

/**
 * The filter the values ask for. Times (absolute, or an age before `now`) become ISO 8601 UTC (the form events are stamped with,
 * so they compare as text); `type` takes repeats and comma-separated lists; a `limit` above
 * `maxLimit` is refused rather than silently cut.
 */
export function parseHistoryOptions(
  values: HistoryOptionValues,
  options: { maxLimit?: number; now?: Date } = {},
): HistoryFilter {
  const one = (name: HistoryOptionName): string | undefined => {
    const value = values[name];
    if (value === undefined || typeof value === 'string') return value;
    if (value.length > 1) throw new HistoryOptionError(name, value.join(', '), 'type', 'one value');
    return value[0];
  };
  const id = (name: 'stream' | 'resource') => {
    const value = one(name);
    if (value === undefined) return undefined;
    const id = parseResourceId(value);
    if (id === undefined)
      throw new HistoryOptionError(
        name,
        value,
        'format',
        'an @odata.id such as /redfish/v1/Systems/node-1, or its URL',
      );
    return id;
  };
  const time = (name: 'since' | 'until') => {
    const value = one(name);
    if (value === undefined) return undefined;
    const parsed = parseTime(value, options.now ?? new Date());
    if (parsed === undefined)
      throw new HistoryOptionError(
        name,
        value,
        'format',
        'a date or time such as 2026-11-25T10:00:00Z, or an age such as 10m or 2h',
      );
    return parsed.toISOString();
  };
  const count = (name: 'after' | 'until-position' | 'limit') => {
    const value = one(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
      throw new HistoryOptionError(name, value, 'type', 'a whole number');
    return Number(value);
  };
  const limit = count('limit');
  if (limit !== undefined && (limit < 1 || (options.maxLimit !== undefined && limit > options.maxLimit))) {
    throw new HistoryOptionError(
      'limit',
      String(limit),
      'range',
      `a number from 1${options.maxLimit === undefined ? '' : ` to ${options.maxLimit}`}`,
    );
  }
  const typeValues = values.type === undefined ? [] : typeof values.type === 'string' ? [values.type] : values.type;
  const types = typeValues
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const filter: HistoryFilter = {
    streamId: id('stream'),
    resource: id('resource'),
    types: types.length > 0 ? types : undefined,
    actor: one('actor'),
    since: time('since'),
    until: time('until'),
    afterPosition: count('after'),
    untilPosition: count('until-position'),
    limit,
  };
  // Only the filters given, so the result can be compared and echoed back as is.
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined)) as HistoryFilter;
}

/** The values that ask for `filter` again: what a next-page link carries, with `after` moved on. */
export function historyOptionValues(filter: HistoryFilter): [HistoryOptionName, string][] {
  const values: [HistoryOptionName, string | number | undefined][] = [
    ['stream', filter.streamId],
    ['resource', filter.resource],
    ...(filter.types ?? []).map((t): [HistoryOptionName, string] => ['type', t]),
    ['actor', filter.actor],
    ['since', filter.since],
    ['until', filter.until],
    ['after', filter.afterPosition],
    ['until-position', filter.untilPosition],
    ['limit', filter.limit],
  ];
  return values
    .filter((entry): entry is [HistoryOptionName, string | number] => entry[1] !== undefined)
    .map(([name, value]) => [name, String(value)]);
}
