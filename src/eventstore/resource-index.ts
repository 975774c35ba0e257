import type { SqliteDatabase } from './database.js';
import type { RecordedEvent } from './event.js';
import { EVENT_COLUMNS, eventFromRow, type EventRow } from './event-store.js';
import type { EventReading } from './upcasters.js';
import { StoreFacts } from './store-facts.js';

/** The resources an event is about besides its stream and its subject. */
export type RelatedResources = (event: RecordedEvent) => readonly string[];

const THROUGH = 'resource_index_through';
const VERSION = 'resource_index_version';
/** Events indexed per write transaction: a few tens of milliseconds, so a server between batches stays responsive. */
const BATCH = 2000;

/**
 * Brings the event_resources table up to the end of the log: each event after the last one
 * indexed is read (upcast, as history shows it) and its related resources recorded. An index
 * made by another `version` of `related` is dropped and made again. Appends never wait for it; history reads call it first, so a log written before the table existed,
 * or imported, is indexed on its first read, and later reads index only what was appended
 * since. Each batch is one write transaction that starts from what is indexed when it begins,
 * so two readers catching up at once share the work; between batches it yields to the event
 * loop, so a server indexing a long log still answers other requests.
 */
export async function catchUpResourceIndex(
  db: SqliteDatabase,
  related: RelatedResources,
  version: number,
  reading: EventReading,
): Promise<void> {
  const facts = new StoreFacts(db);
  if (facts.get(VERSION) !== String(version)) {
    // `related` has changed since the index was made (or none was): it is made again from the
    // start, checked again inside the transaction so that two readers reset it once.
    db.transaction(() => {
      if (facts.get(VERSION) === String(version)) return;
      db.prepare('DELETE FROM event_resources').run();
      facts.put(THROUGH, '0');
      facts.put(VERSION, String(version));
    }).immediate();
  }
  const last = db.prepare('SELECT max(position) FROM events').pluck();
  if (Number(facts.get(THROUGH) ?? 0) >= Number(last.get() ?? 0)) return;
  const after = db
    .prepare<[number, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    )
    .raw();
  const insert = db.prepare('INSERT OR IGNORE INTO event_resources (resource, position) VALUES (?, ?)');
  const batch = db.transaction((): boolean => {
    const rows = after.all(Number(facts.get(THROUGH) ?? 0), BATCH);
    for (const row of rows) {
      const event = eventFromRow(row, reading);
      for (const resource of new Set(related(event))) {
        if (resource !== event.streamId && resource !== event.subject) insert.run(resource, event.position);
      }
    }
    if (rows.length > 0) facts.put(THROUGH, String(rows.at(-1)![0]));
    return rows.length === BATCH;
  });
  while (batch.immediate()) await new Promise((resolve) => setImmediate(resolve));
}
