import type { SqliteDatabase } from './database.js';
import type { RecordedEvent } from './event.js';
import { eventFromRow } from './event-store.js';

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
}

/**
 * The events matching a filter, oldest first. A resource filter is a pair of index ranges:
 * every id below X sorts between 'X/' and 'X0' ('0' follows '/'), so no LIKE scan is needed.
 */
export function queryHistory(db: SqliteDatabase, filter: HistoryFilter): RecordedEvent[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.streamId !== undefined) {
    where.push('stream_id = ?');
    params.push(filter.streamId);
  }
  if (filter.resource !== undefined) {
    const id = filter.resource.replace(/\/+$/, '');
    // Events of the resource's stream or of streams below it, and events about a child of a
    // stream: each arm is an index search, where one OR over both columns would scan the log.
    where.push(`position IN (
      SELECT position FROM events WHERE stream_id = ? OR (stream_id >= ? AND stream_id < ?)
      UNION ALL SELECT position FROM events WHERE subject <> stream_id AND subject = ?
      UNION ALL SELECT position FROM events WHERE subject <> stream_id AND subject >= ? AND subject < ?)`);
    params.push(id, `${id}/`, `${id}0`, id, `${id}/`, `${id}0`);
  }
  if (filter.types && filter.types.length > 0) {
    where.push(`type IN (${filter.types.map(() => '?').join(', ')})`);
    params.push(...filter.types);
  }
  if (filter.actor !== undefined) {
    where.push("json_extract(meta, '$.actor') = ?");
    params.push(filter.actor);
  }
  if (filter.since !== undefined) {
    where.push('recorded_at >= ?');
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    where.push('recorded_at <= ?');
    params.push(filter.until);
  }
  if (filter.afterPosition !== undefined) {
    where.push('position > ?');
    params.push(filter.afterPosition);
  }
  if (filter.untilPosition !== undefined) {
    where.push('position <= ?');
    params.push(filter.untilPosition);
  }
  const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY position LIMIT ?`;
  params.push(filter.limit ?? 1000);
  return (db.prepare(sql).all(...params) as Parameters<typeof eventFromRow>[0][]).map(eventFromRow);
}
