import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../eventstore/database.js';
import { odataIdOf, type InlineViews, type ViewDocument, type ViewWriter } from '../eventstore/projector.js';
import type { StoredView } from '../eventstore/projector.js';
import type { ViewReader } from './view-reader.js';
import { OtherWriters } from '../eventstore/other-writers.js';
import { idsWithChanges } from './ids-with-changes.js';
import {
  ASSEMBLED_COLLECTIONS,
  assembleCollection,
  assembledCollectionTouchedBy,
  memberPartPrefix,
} from './assembled-collections.js';

/** How long a cached view may be served before checking whether another process wrote. */
const EXTERNAL_WRITE_CHECK_MS = 200;

/**
 * The views table. GETs read it through `get`; projectors write it through `writer`, inside the
 * transaction of the append that caused the change: the writer holds the changes in memory and
 * `flush` writes each changed view once, before the transaction commits (a batch of 100 events
 * that each update one document makes one row write, not 100).
 *
 * Reads are cached in memory: a statement costs more than all the rest of a GET. This
 * process's own writes reach the cache when their transaction commits (`commit`) and are
 * dropped if it rolls back (`rollback`); writes by other processes on the same file (the CLI)
 * show through SQLite's data_version, checked at most every 200 ms.
 *
 * The writer reads through the same cache: it runs inside an append's transaction, and the store
 * invalidates this cache when that transaction starts after another connection's commit, so a
 * cached view is what the table holds. A document handed to a projector is its own to change, so
 * it is parsed from the stored text, except the one a committed transaction put: that object is
 * kept and handed out instead, once, as nothing holds it any more (a projector that put it gave
 * it back). Whatever happens to it then (changed and not put, or its transaction rolled back), the
 * next reader parses the text again.
 */
export class SqliteViews implements ViewReader, InlineViews {
  readonly writer: ViewWriter;
  private readonly selectView: Statement<[string], StoredView>;
  private readonly selectIdsBetween: Statement<[string, string], { odataId: string; position: number }>;
  /** Assembled collections as last read, dropped when a write of theirs commits. */
  private readonly assembled = new Map<string, StoredView | null>();
  private readonly cache = new Map<string, StoredView | null>();
  /** Changes of the transaction in progress: a view, or null for a deleted one. */
  private readonly pending = new Map<string, StoredView | null>();
  /** The documents the transaction in progress put, as objects: kept as `documents` once it commits. */
  private readonly pendingDocuments = new Map<string, ViewDocument>();
  /** Documents equal to their cached text, put by a committed transaction and not handed out since. */
  private readonly documents = new Map<string, ViewDocument>();
  private readonly otherWriters: OtherWriters;
  private checkedAt = 0;
  private readonly flushPending: () => void;
  /**
   * How many views the table holds, counted once and then kept as this connection's
   * transactions commit (a count of a million rows takes a tenth of a second); counted again
   * after another connection wrote. Undefined until asked for.
   */
  private viewCount: number | undefined;
  /** What the transaction in progress adds to the count. */
  private pendingCountChange = 0;
  private readonly countAll: Statement<[], number>;

  constructor(
    db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.selectView = db.prepare('SELECT odata_id AS odataId, body, position FROM views WHERE odata_id = ?');
    this.selectIdsBetween = db.prepare(
      'SELECT odata_id AS odataId, position FROM views WHERE odata_id >= ? AND odata_id < ?',
    );
    this.otherWriters = new OtherWriters(db);
    const upsert = db.prepare<[string, string, number]>(
      'INSERT INTO views (odata_id, body, position) VALUES (?, ?, ?) ' +
        'ON CONFLICT (odata_id) DO UPDATE SET body = excluded.body, position = excluded.position',
    );
    const remove = db.prepare<[string]>('DELETE FROM views WHERE odata_id = ?');
    this.countAll = db.prepare<[], number>('SELECT count(*) FROM views').pluck();
    this.flushPending = () => {
      const counting = this.viewCount !== undefined;
      for (const [odataId, view] of this.pending) {
        if (counting) this.pendingCountChange += Number(view !== null) - Number(this.committed(odataId) !== null);
        if (view) upsert.run(odataId, view.body, view.position);
        else remove.run(odataId);
      }
    };
    const pending = this.pending;
    const pendingDocuments = this.pendingDocuments;
    const documents = this.documents;
    const current = (odataId: string): StoredView | null | undefined =>
      pending.has(odataId) ? pending.get(odataId) : this.committed(odataId);
    this.writer = {
      get(odataId: string): ViewDocument | undefined {
        if (!pending.has(odataId)) {
          const kept = documents.get(odataId);
          if (kept) {
            documents.delete(odataId);
            return kept;
          }
        }
        const row = current(odataId);
        return row ? (JSON.parse(row.body) as ViewDocument) : undefined;
      },
      serialized(odataId: string): string | undefined {
        return current(odataId)?.body;
      },
      exists(odataId: string): boolean {
        return current(odataId) != null;
      },
      idsWithPrefix: (prefix: string): string[] =>
        idsWithChanges(
          this.committedIdsWithPrefix(prefix).map((row) => row.odataId),
          pending,
          prefix,
        ),
      put(document: ViewDocument, position: number, text?: string): void {
        const odataId = odataIdOf(document);
        pending.set(odataId, { odataId, body: text ?? JSON.stringify(document), position });
        pendingDocuments.set(odataId, document);
      },
      delete(odataId: string): void {
        pending.set(odataId, null);
        pendingDocuments.delete(odataId);
      },
    };
  }

  get(odataId: string): StoredView | undefined {
    if (this.now() - this.checkedAt > EXTERNAL_WRITE_CHECK_MS) {
      this.checkedAt = this.now();
      if (this.otherWriters.committed()) this.invalidate();
    }
    if (ASSEMBLED_COLLECTIONS.has(odataId)) return this.committedAssembled(odataId) ?? undefined;
    return this.committed(odataId) ?? undefined;
  }

  count(): number {
    this.viewCount ??= this.countAll.get()!;
    return this.viewCount;
  }

  /** An assembled collection with its members, as last committed (null: there is none). */
  private committedAssembled(odataId: string): StoredView | null {
    const cached = this.assembled.get(odataId);
    if (cached !== undefined) return cached;
    const collection = this.committed(odataId);
    const view = collection && assembleCollection(collection, this.committedIdsWithPrefix(memberPartPrefix(odataId)));
    this.assembled.set(odataId, view);
    return view;
  }

  /** The ids (and positions) of the committed views whose ids begin with `prefix`: a range of the primary key. */
  private committedIdsWithPrefix(prefix: string): { odataId: string; position: number }[] {
    const last = prefix.charCodeAt(prefix.length - 1);
    return this.selectIdsBetween.all(prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1));
  }

  /** The view as last committed, from the cache or else the table (null: there is none). */
  private committed(odataId: string): StoredView | null {
    const cached = this.cache.get(odataId);
    if (cached !== undefined) return cached;
    const row = this.selectView.get(odataId) ?? null;
    if (this.cache.size > 100_000) {
      this.cache.clear();
      this.documents.clear();
    }
    this.cache.set(odataId, row);
    return row;
  }

  /** Writes each view the transaction changed once, however many times projectors put it. */
  flush(): void {
    this.flushPending();
  }

  /** The transaction that made the pending writes committed: they are now what GETs see. */
  commit(): void {
    for (const [odataId, view] of this.pending) {
      this.cache.set(odataId, view);
      const collectionId = assembledCollectionTouchedBy(odataId);
      if (collectionId !== undefined) this.assembled.delete(collectionId);
      const document = this.pendingDocuments.get(odataId);
      if (document) this.documents.set(odataId, document);
      else this.documents.delete(odataId);
    }
    this.pending.clear();
    this.pendingDocuments.clear();
    if (this.viewCount !== undefined) this.viewCount += this.pendingCountChange;
    this.pendingCountChange = 0;
  }

  /** It rolled back: forget its writes. */
  rollback(): void {
    this.pending.clear();
    this.pendingDocuments.clear();
    this.pendingCountChange = 0;
  }

  /** Forget everything cached, after this process rewrote the table outside the writer. */
  invalidate(): void {
    this.viewCount = undefined;
    this.cache.clear();
    this.assembled.clear();
    this.documents.clear();
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

/** Every view, in @odata.id order, read one at a time. */
export function eachView(db: SqliteDatabase): IterableIterator<StoredView> {
  return db
    .prepare<[], StoredView>('SELECT odata_id AS odataId, body, position FROM views ORDER BY odata_id')
    .iterate();
}

/** Every view, in @odata.id order. */
export function allViews(db: SqliteDatabase): StoredView[] {
  return [...eachView(db)];
}
