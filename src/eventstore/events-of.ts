import type { SqliteDatabase } from './database.js';
import { EVENT_COLUMNS, eventFromRow, type EventRow } from './event-store.js';
import type { RecordedEvent } from './event.js';
import { EVENT_UPCASTERS, type EventReading } from './upcasters.js';

const PAGE = 10_000;

/**
 * Every event of the log up to `untilPosition`, read page by page in position order, upcast to
 * the current payload versions (or as stored, with AS_STORED).
 */
export function* eventsOf(
  db: SqliteDatabase,
  untilPosition = Number.MAX_SAFE_INTEGER,
  reading: EventReading = EVENT_UPCASTERS,
): IterableIterator<RecordedEvent> {
  const page = db
    .prepare<[number, number, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`,
    )
    .raw();
  let cursor = 0;
  for (;;) {
    const rows = page.all(cursor, untilPosition, PAGE);
    for (const row of rows) yield eventFromRow(row, reading);
    if (rows.length < PAGE) return;
    cursor = rows.at(-1)![0];
  }
}
