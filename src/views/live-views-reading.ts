import Database from 'better-sqlite3';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { StoredView } from '../eventstore/projector.js';

/** Views read at a time: a page is a few hundred kilobytes of bodies. */
const PAGE_VIEWS = 1000;

/** The live views table as it stood at `position`, read a page at a time. */
export interface LiveViewsReading {
  readonly position: number;
  readonly total: number;
  /** Every view in @odata.id order; stops early, in an error, once `stop` is called. */
  readonly pages: AsyncIterable<readonly StoredView[]>;
  stop(): void;
  /** Resolves once the pages ended and the connection closed. */
  readonly ended: Promise<void>;
}

/**
 * Starts reading the views table of the store in `file` through a read-only connection of its
 * own: that connection's read transaction keeps the table as it is now while this process goes
 * on appending, so a million views are read a page per turn of the event loop, between requests,
 * instead of all at once. The connection closes when the pages end, however they end; pages
 * never asked for keep it open, so a reading is always read through.
 */
export function startReadingLiveViews(file: string): LiveViewsReading {
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  let position: number;
  let total: number;
  try {
    reader.pragma('busy_timeout = 10000');
    reader.exec('BEGIN');
    // The first read starts the transaction's snapshot: every read after sees the same table.
    position = (
      reader.prepare('SELECT coalesce(max(position), 0) AS position FROM events').get() as { position: number }
    ).position;
    total = (reader.prepare('SELECT count(*) AS count FROM views').get() as { count: number }).count;
  } catch (err) {
    reader.close();
    throw err;
  }
  const page = reader.prepare<[string, number], StoredView>(
    'SELECT odata_id AS odataId, body, position FROM views WHERE odata_id > ? ORDER BY odata_id LIMIT ?',
  );
  let stopped = false;
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  async function* pages(): AsyncGenerator<readonly StoredView[]> {
    try {
      let after = '';
      for (;;) {
        if (stopped) throw new Error('the reading of the live views was stopped');
        const rows = page.all(after, PAGE_VIEWS);
        if (rows.length === 0) return;
        yield rows;
        after = rows.at(-1)!.odataId;
        await nextTurn();
      }
    } finally {
      reader.close();
      end();
    }
  }
  return {
    position,
    total,
    pages: pages(),
    stop: () => {
      stopped = true;
    },
    ended,
  };
}
