import type { SqliteDatabase } from '../eventstore/database.js';
import { eventFromRow } from '../eventstore/event-store.js';
import type { RecordedEvent } from '../eventstore/event.js';
import { EVENT_UPCASTERS, type EventReading } from '../eventstore/upcasters.js';
import { MemoryViews } from './memory-views.js';
import type { Projector } from './projector.js';
import { PROGRESS_EVERY, type ProgressCallback } from '../progress/long-work.js';

const PAGE = 10_000;

/**
 * Every event of the log up to `untilPosition`, read page by page in position order, upcast to
 * the current payload versions (or as stored, with AS_STORED).
 */
export function* eventsOf(db: SqliteDatabase, untilPosition = Number.MAX_SAFE_INTEGER, reading: EventReading = EVENT_UPCASTERS): IterableIterator<RecordedEvent> {
  const page = db.prepare('SELECT * FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?');
  let cursor = 0;
  for (;;) {
    const rows = page.all(cursor, untilPosition, PAGE) as Parameters<typeof eventFromRow>[0][];
    for (const row of rows) yield eventFromRow(row, reading);
    if (rows.length < PAGE) return;
    cursor = rows.at(-1)!.position;
  }
}

/** Folds events through the projectors into in-memory views. */
export function project(events: Iterable<RecordedEvent>, projectors: readonly Projector[]): MemoryViews {
  return projectInto(new MemoryViews(), events, projectors);
}

/** Folds more events into `views`: for work that projects a long log a slice at a time. */
export function projectInto(views: MemoryViews, events: Iterable<RecordedEvent>, projectors: readonly Projector[]): MemoryViews {
  for (const event of events) {
    for (const projector of projectors) projector.apply(event, views);
  }
  return views;
}

export interface RebuildResult {
  readonly events: number;
  readonly views: number;
}

/**
 * Drops every view and projects the whole log again, in one transaction: readers see the old
 * views until the new ones are complete. The result is byte-identical to what the inline
 * projections wrote, as long as the projectors are deterministic. It runs in one synchronous
 * stretch: an interruption kills the process, and SQLite rolls the transaction back.
 */
export function rebuildViews(db: SqliteDatabase, projectors: readonly Projector[], reading: EventReading = EVENT_UPCASTERS, onProgress?: ProgressCallback): RebuildResult {
  // Positions run from 1 without gaps, so the last one is the count, without counting.
  const total = onProgress ? (db.prepare('SELECT coalesce(max(position), 0) AS last FROM events').get() as { last: number }).last : 0;
  return db
    .transaction(() => {
      let events = 0;
      const counted = (function* () {
        for (const event of eventsOf(db, undefined, reading)) {
          events += 1;
          if (onProgress && events % PROGRESS_EVERY === 0) onProgress(events, total);
          yield event;
        }
      })();
      const views = project(counted, projectors);
      db.prepare('DELETE FROM views').run();
      const insert = db.prepare('INSERT INTO views (odata_id, body, position) VALUES (?, ?, ?)');
      let written = 0;
      for (const row of views.rows()) {
        insert.run(row.odataId, row.body, row.position);
        written += 1;
      }
      onProgress?.(events, total);
      return { events, views: written };
    })
    .immediate();
}
