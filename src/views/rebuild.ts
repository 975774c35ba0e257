import type { SqliteDatabase } from '../eventstore/database.js';
import type { RecordedEvent } from '../eventstore/event.js';
import { eventsOf } from '../eventstore/events-of.js';
import type { ProjectImportedLog } from '../eventstore/log-file.js';
import type { Projector } from '../eventstore/projector.js';
import { EVENT_UPCASTERS, type EventReading } from '../eventstore/upcasters.js';
import { breathe, PROGRESS_EVERY, type ProgressCallback } from '../progress/long-work.js';
import { MemoryViews } from './memory-views.js';
import { replaceAllViews } from './sqlite-views.js';

/** Folds events through the projectors into in-memory views. */
export function project(events: Iterable<RecordedEvent>, projectors: readonly Projector[]): MemoryViews {
  return projectInto(new MemoryViews(), events, projectors);
}

/** Folds more events into `views`: for work that projects a long log a slice at a time. */
export function projectInto(
  views: MemoryViews,
  events: Iterable<RecordedEvent>,
  projectors: readonly Projector[],
): MemoryViews {
  for (const event of events) projectEvent(views, event, projectors);
  return views;
}

function projectEvent(views: MemoryViews, event: RecordedEvent, projectors: readonly Projector[]): void {
  for (const projector of projectors) projector.apply(event, views);
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
export function rebuildViews(
  db: SqliteDatabase,
  projectors: readonly Projector[],
  reading: EventReading = EVENT_UPCASTERS,
  onProgress?: ProgressCallback,
): RebuildResult {
  // Positions run from 1 without gaps, so the last one is the count, without counting.
  const total = onProgress
    ? (db.prepare('SELECT coalesce(max(position), 0) AS last FROM events').get() as { last: number }).last
    : 0;
  return db
    .transaction(() => {
      const views = new MemoryViews();
      let events = 0;
      // One loop, not a counting generator around the log's: a rebuild pays per event.
      for (const event of eventsOf(db, undefined, reading)) {
        projectEvent(views, event, projectors);
        events += 1;
        if (onProgress && events % PROGRESS_EVERY === 0) onProgress(events, total);
      }
      const written = replaceAllViews(db, views.rows());
      onProgress?.(events, total);
      return { events, views: written };
    })
    .immediate();
}

/**
 * The views of an imported log, made inside the import's transaction: projected a slice at a
 * time, so the event loop runs between slices and an interruption rolls the import back.
 */
export function viewsOfImportedLog(db: SqliteDatabase, projectors: readonly Projector[]): ProjectImportedLog {
  return async (events, work) => {
    const views = new MemoryViews();
    for (let i = 0; i < events.length; i += PROGRESS_EVERY) {
      projectInto(views, events.slice(i, i + PROGRESS_EVERY), projectors);
      work.onProgress?.(Math.min(i + PROGRESS_EVERY, events.length), events.length, 'projecting');
      await breathe(work.signal);
    }
    replaceAllViews(db, views.rows());
  };
}
