import type { SqliteDatabase } from './database.js';
import type { RecordedEvent } from './event.js';
import { EVENT_COLUMNS, eventFromRow, type EventRow } from './event-store.js';
import { EVENT_UPCASTERS, type EventReading } from './upcasters.js';

/** Which events to list; every filter is optional and they combine with AND. */
export interface HistoryFilter {
  readonly streamId?: string;
  /** A resource's @odata.id: events about it and about everything below it. */
  readonly resource?: string;
  readonly types?: readonly string[];
  readonly actor?: string;
  /** ISO 8601 times, inclusive. */
  readonly since?: string;
  readonly until?: string;
  /** Positions, exclusive after / inclusive up to, for paging. */
  readonly afterPosition?: number;
  readonly untilPosition?: number;
  readonly limit?: number;
  /** List the newest first (the limit then keeps the newest). */
  readonly newestFirst?: boolean;
}

/**
 * The WHERE clause of a filter and its parameters. A resource filter is a pair of index
 * ranges: every id below X sorts between 'X/' and 'X0' ('0' follows '/'), so no LIKE scan is
 * needed.
 */
function whereClause(filter: HistoryFilter): { sql: string; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const simple: [string | number | undefined, string][] = [
    [filter.streamId, 'stream_id = ?'],
    [filter.actor, "json_extract(meta, '$.actor') = ?"],
    [filter.since, 'recorded_at >= ?'],
    [filter.until, 'recorded_at <= ?'],
    [filter.afterPosition, 'position > ?'],
    [filter.untilPosition, 'position <= ?'],
  ];
  for (const [value, condition] of simple) {
    if (value === undefined) continue;
    where.push(condition);
    params.push(value);
  }
  if (filter.types && filter.types.length > 0) {
    where.push(`type IN (${filter.types.map(() => '?').join(', ')})`);
    params.push(...filter.types);
  }
  if (filter.resource !== undefined) {
    const id = filter.resource.replace(/\/+$/, '');
    // Events of the resource's stream or of streams below it, events about a child of a
    // stream, and events whose payload names it (event_resources, kept by
    // catchUpResourceIndex): each arm is an index search, where one OR over the columns would
    // scan the log.
    where.push(`position IN (
      SELECT position FROM events WHERE stream_id = ? OR (stream_id >= ? AND stream_id < ?)
      UNION ALL SELECT position FROM events WHERE subject <> stream_id AND subject = ?
      UNION ALL SELECT position FROM events WHERE subject <> stream_id AND subject >= ? AND subject < ?
      UNION ALL SELECT position FROM event_resources WHERE resource = ? OR (resource >= ? AND resource < ?))`);
    params.push(id, `${id}/`, `${id}0`, id, `${id}/`, `${id}0`, id, `${id}/`, `${id}0`);
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** The events matching a filter, oldest first (or newest first), upcast as deciders and projectors read them. */
export function queryHistory(
  db: SqliteDatabase,
  filter: HistoryFilter,
  reading: EventReading = EVENT_UPCASTERS,
): RecordedEvent[] {
  const { sql, params } = whereClause(filter);
  const rows = db
    .prepare(`SELECT ${EVENT_COLUMNS} FROM events ${sql} ORDER BY position ${filter.newestFirst ? 'DESC' : ''} LIMIT ?`)
    .raw()
    .all(...params, filter.limit ?? 1000);
  return (rows as EventRow[]).map((row) => eventFromRow(row, reading));
}

/** How many events match a filter, its limit aside. */
export function countHistory(db: SqliteDatabase, filter: HistoryFilter): number {
  const { sql, params } = whereClause(filter);
  return (db.prepare(`SELECT count(*) AS n FROM events ${sql}`).get(...params) as { n: number }).n;
}
