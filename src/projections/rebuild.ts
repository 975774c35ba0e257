import type { SqliteDatabase } from '../eventstore/database.js';
import { eventFromRow } from '../eventstore/event-store.js';
import type { RecordedEvent } from '../eventstore/event.js';
import { EVENT_UPCASTERS, type EventReading } from '../eventstore/upcasters.js';
import { MemoryViews } from './memory-views.js';
import type { Projector } from './projector.js';

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
  const views = new MemoryViews();
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
 * projections wrote, as long as the projectors are deterministic.
 */
export function rebuildViews(db: SqliteDatabase, projectors: readonly Projector[], reading: EventReading = EVENT_UPCASTERS): RebuildResult {
  return db
    .transaction(() => {
      let events = 0;
      const counted = (function* () {
        for (const event of eventsOf(db, undefined, reading)) {
          events += 1;
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
      return { events, views: written };
    })
    .immediate();
}
