import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../eventstore/database.js';
import { odataIdOf, type InlineViews, type ViewDocument, type ViewWriter } from '../eventstore/projector.js';
import type { StoredView } from '../eventstore/projector.js';
import type { ViewReader } from './view-reader.js';

/** How long a cached view may be served before checking whether another process wrote. */
const EXTERNAL_WRITE_CHECK_MS = 200;

/**
 * The views table. GETs read it through `get`; projectors write it through `writer`, inside the
 * transaction of the append that caused the change.
 *
 * Reads are cached in memory: a statement costs more than all the rest of a GET. This
 * process's own writes reach the cache when their transaction commits (`commit`) and are
 * dropped if it rolls back (`rollback`); writes by other processes on the same file (the CLI)
 * show through SQLite's data_version, checked at most every 200 ms.
 */
export class SqliteViews implements ViewReader, InlineViews {
  readonly writer: ViewWriter;
  private readonly selectView: Statement<[string], StoredView>;
  private readonly cache = new Map<string, StoredView | null>();
  /** Changes of the transaction in progress: a view, or null for a deleted one. */
  private readonly pending = new Map<string, StoredView | null>();
  private dataVersion: number;
  private checkedAt = 0;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.selectView = db.prepare('SELECT odata_id AS odataId, body, position FROM views WHERE odata_id = ?');
    this.dataVersion = this.readDataVersion();
    const upsert = db.prepare<[string, string, number]>(
      'INSERT INTO views (odata_id, body, position) VALUES (?, ?, ?) ' +
        'ON CONFLICT (odata_id) DO UPDATE SET body = excluded.body, position = excluded.position',
    );
    const remove = db.prepare<[string]>('DELETE FROM views WHERE odata_id = ?');
    const select = this.selectView;
    const exists = db.prepare<[string], 1>('SELECT 1 FROM views WHERE odata_id = ?').pluck();
    const pending = this.pending;
    this.writer = {
      get(odataId: string): ViewDocument | undefined {
        const row = pending.has(odataId) ? pending.get(odataId) : select.get(odataId);
        return row ? (JSON.parse(row.body) as ViewDocument) : undefined;
      },
      serialized(odataId: string): string | undefined {
        const row = pending.has(odataId) ? pending.get(odataId) : select.get(odataId);
        return row?.body;
      },
      exists(odataId: string): boolean {
        return pending.has(odataId) ? pending.get(odataId) !== null : exists.get(odataId) !== undefined;
      },
      put(document: ViewDocument, position: number, text?: string): void {
        const odataId = odataIdOf(document);
        const body = text ?? JSON.stringify(document);
        upsert.run(odataId, body, position);
        pending.set(odataId, { odataId, body, position });
      },
      delete(odataId: string): void {
        remove.run(odataId);
        pending.set(odataId, null);
      },
    };
  }

  private readDataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  get(odataId: string): StoredView | undefined {
    if (this.now() - this.checkedAt > EXTERNAL_WRITE_CHECK_MS) {
      this.checkedAt = this.now();
      const version = this.readDataVersion();
      if (version !== this.dataVersion) {
        this.dataVersion = version;
        this.cache.clear();
      }
    }
    const cached = this.cache.get(odataId);
    if (cached !== undefined) return cached ?? undefined;
    const row = this.selectView.get(odataId);
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(odataId, row ?? null);
    return row;
  }

  /** The transaction that made the pending writes committed: they are now what GETs see. */
  commit(): void {
    for (const [odataId, view] of this.pending) this.cache.set(odataId, view);
    this.pending.clear();
  }

  /** It rolled back: forget its writes. */
  rollback(): void {
    this.pending.clear();
  }

  /** Forget everything cached, after this process rewrote the table outside the writer. */
  invalidate(): void {
    this.cache.clear();
  }
}

/** Replaces every view by `rows` (a rebuild, an import): inside the caller's transaction. Returns how many were written. */
export function replaceAllViews(db: SqliteDatabase, rows: Iterable<StoredView>): number {
  db.prepare('DELETE FROM views').run();
  const insert = db.prepare('INSERT INTO views (odata_id, body, position) VALUES (?, ?, ?)');
  let written = 0;
  for (const row of rows) {
    insert.run(row.odataId, row.body, row.position);
    written += 1;
  }
  return written;
}

/** Every view, in @odata.id order. */
export function allViews(db: SqliteDatabase): StoredView[] {
  return db.prepare('SELECT odata_id AS odataId, body, position FROM views ORDER BY odata_id').all() as StoredView[];
}
