import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../eventstore/database.js';
import type { StoredView } from '../eventstore/projector.js';
import { encodeSnapshot, encodeSnapshotAsync, parentOf } from './snapshot-encoding.js';
import { openSnapshot, viewOf, type OpenedSnapshot, type StoredFamily } from './snapshot-reading.js';

/**
 * Events between snapshots: the balance between the events an as-of read replays (half of this
 * on average) and the size of the snapshot table; how it was chosen is in the README
 * (Benchmarks, `bench:history`).
 */
export const SNAPSHOT_INTERVAL = 500;
/**
 * A full copy every this many snapshots, deltas in between: a restore reads one keyframe and at
 * most seven deltas, and the table grows by what changed rather than by every view.
 */
export const KEYFRAME_EVERY = 8;
/**
 * Events between snapshots in a large lab (TimeTravelOptions.deepChainViews): there the events
 * of an interval change the views of different systems, so a delta holds about as much per
 * event whatever the interval, and a shorter one only shortens the replays (measured in the
 * README, Scale labs).
 */
export const LARGE_LAB_INTERVAL = 50;
/**
 * In a large lab every this many snapshots one is a merged delta: what changed since the last
 * merged delta (or the keyframe), on it. A restore then reads the keyframe, the merged deltas and
 * at most MERGED_EVERY - 1 deltas after the last, not every delta since the keyframe.
 */
export const MERGED_EVERY = 16;

/** A snapshot's place: where it is, and what it is relative to. */
export interface SnapshotInfo {
  readonly position: number;
  /** The snapshot this one is a delta of; undefined for a keyframe. */
  readonly base?: number;
  /**
   * Snapshots made since its keyframe, this one included (0 for a keyframe): the deltas between
   * them when each is on the one before, fewer when merged deltas skip some.
   */
  readonly depth: number;
}

/** A stored snapshot's place in its chain and how many views it makes, as its row has them. */
interface SnapshotPlace {
  readonly position: number;
  readonly base: number | null;
  readonly depth: number;
  readonly views: number;
}

/** More than the members of any one family a snapshot holds. */
const MEMBER_SPAN = 2 ** 24;
/** A member a restore's base answers for. */
const FROM_BASE = -1;

/** A link of a chain as a restore reads it: the snapshot, and the leaves it deletes by parent path. */
interface Link {
  readonly snapshot: OpenedSnapshot;
  readonly deleted: ReadonlyMap<string, readonly string[]>;
}

/**
 * Every view at a snapshot's position, from the chain of stored snapshots that make it (a
 * keyframe and the deltas on it), read as a replay asks: a family's members are worked out when
 * one of them is first asked about (from each link's page that lists it), a body read when it is
 * first asked for. Shared by the replays that start from it, never changed.
 */
export class SnapshotViews {
  /** The links this restore reads itself: those after its base's. */
  private readonly links: readonly Link[];
  /** What each link, oldest first, puts (a family) or deletes (leaves) under a parent path, as asked for. */
  private readonly changes = new Map<string, (StoredFamily | readonly string[])[]>();
  /** A family's members worked out: leaf → which of its `changes` holds it (× MEMBER_SPAN) and where in it. */
  private readonly members = new Map<string, Map<string, number>>();
  /** A family's ids as idsUnder last listed them. */
  private readonly ids = new Map<string, string[]>();
  private readonly views = new Map<string, StoredView | null>();

  /**
   * `chain`: the links, oldest first; kept, so that another restore on the same links shares
   * them. `base`: a restore of the first links of the same chain, which answers for them: only
   * the links after its own are read here. `viewCount`: the views at its position, as its row
   * records them; counted through every family of the chain when not given, which in a lab of
   * 10,000 systems reads every page of every link.
   */
  constructor(
    readonly chain: readonly OpenedSnapshot[],
    readonly base?: SnapshotViews,
    private readonly viewCount?: number,
  ) {
    this.links = chain.slice(base?.chain.length ?? 0).map((snapshot) => {
      const deleted = new Map<string, string[]>();
      for (const odataId of snapshot.deleted) {
        const parent = parentOf(odataId);
        const leaves = deleted.get(parent);
        if (leaves) leaves.push(odataId.slice(parent.length));
        else deleted.set(parent, [odataId.slice(parent.length)]);
      }
      return { snapshot, deleted };
    });
  }

  private changesOf(parent: string): (StoredFamily | readonly string[])[] {
    let changes = this.changes.get(parent);
    if (changes) return changes;
    changes = [];
    for (const link of this.links) {
      // A delta's deletions come before its puts, as it was recorded.
      const deleted = link.deleted.get(parent);
      if (deleted) changes.push(deleted);
      const family = link.snapshot.family(parent);
      if (family) changes.push(family);
    }
    this.changes.set(parent, changes);
    return changes;
  }

  /** A family's members: where each is in `changes`, or FROM_BASE. */
  private membersOf(parent: string): Map<string, number> {
    let members = this.members.get(parent);
    if (members) return members;
    members = new Map();
    if (this.base) for (const leaf of this.base.membersOf(parent).keys()) members.set(leaf, FROM_BASE);
    const changes = this.changesOf(parent);
    for (let c = 0; c < changes.length; c += 1) {
      const change = changes[c]!;
      if (isDeletion(change)) for (const leaf of change) members.delete(leaf);
      else for (let i = 0; i < change.leaves.length; i += 1) members.set(change.leaves[i]!, c * MEMBER_SPAN + i);
    }
    this.members.set(parent, members);
    return members;
  }

  has(odataId: string): boolean {
    const parent = parentOf(odataId);
    return this.membersOf(parent).has(odataId.slice(parent.length));
  }

  get(odataId: string): StoredView | undefined {
    const known = this.views.get(odataId);
    if (known !== undefined) return known ?? undefined;
    const parent = parentOf(odataId);
    const member = this.membersOf(parent).get(odataId.slice(parent.length));
    const view =
      member === undefined
        ? undefined
        : member === FROM_BASE
          ? this.base!.get(odataId)
          : viewOf(
              parent,
              this.changesOf(parent)[Math.floor(member / MEMBER_SPAN)] as StoredFamily,
              member % MEMBER_SPAN,
            );
    this.views.set(odataId, view ?? null);
    return view;
  }

  /** The ids of the views under a parent path (a collection's members, a log's entries); the list is shared, not to be changed. */
  idsUnder(parent: string): string[] {
    let ids = this.ids.get(parent);
    if (!ids) this.ids.set(parent, (ids = [...this.membersOf(parent).keys()].map((leaf) => parent + leaf)));
    return ids;
  }

  /** The parent paths of every family the chain ever held (some may have no member left). */
  private parents(): Iterable<string> {
    const parents = new Set(this.base?.parents());
    for (const link of this.links) {
      for (const parent of link.snapshot.parents()) parents.add(parent);
      for (const parent of link.deleted.keys()) parents.add(parent);
    }
    return parents;
  }

  *keys(): IterableIterator<string> {
    for (const parent of this.parents()) yield* this.idsUnder(parent);
  }

  *values(): IterableIterator<StoredView> {
    for (const odataId of this.keys()) yield this.get(odataId)!;
  }

  get size(): number {
    if (this.viewCount !== undefined) return this.viewCount;
    let size = 0;
    for (const parent of this.parents()) size += this.membersOf(parent).size;
    return size;
  }
}

const isDeletion = (change: StoredFamily | readonly string[]): change is readonly string[] => Array.isArray(change);

const infoOf = (row: { position: number; base: number | null; depth: number }): SnapshotInfo =>
  row.base === null
    ? { position: row.position, depth: row.depth }
    : { position: row.position, base: row.base, depth: row.depth };

/**
 * The view_snapshots table of one projection version: rows another version wrote are never
 * read, and are dropped when this version writes. A snapshot that cannot be read whole (a row of
 * its chain missing or damaged) is treated as absent, so snapshots only ever save time.
 */
export class ViewSnapshots {
  private readonly selectNearest: Statement<[number, number], SnapshotInfo & { base: number | null }>;
  private readonly selectPlace: Statement<[number, number], SnapshotPlace>;
  private readonly selectBody: Statement<[number, number], Buffer>;
  private readonly insertRow: Statement<[number, number, number | null, number, number, Buffer, string]>;
  private readonly deleteOthers: Statement<[number]>;
  private readonly deleteRow: Statement<[number, number]>;
  /** Restored snapshots, newest use last: a few are kept so reads near each other restore once. */
  private readonly cache = new Map<number, SnapshotViews>();
  /**
   * The links of the chains restored, by position, as long as a restored snapshot holds them:
   * restores at other points of one chain share its keyframe and the pages of it already read.
   */
  private readonly opened = new Map<number, WeakRef<OpenedSnapshot>>();
  private readonly writing = new Set<Promise<void>>();
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(
    readonly db: SqliteDatabase,
    readonly projectionVersion: number,
    private readonly cacheSize = 4,
  ) {
    this.selectNearest = db.prepare(
      'SELECT position, base, depth FROM view_snapshots WHERE projection_version = ? AND position <= ? ORDER BY position DESC LIMIT 1',
    );
    this.selectPlace = db.prepare(
      'SELECT position, base, depth, views FROM view_snapshots WHERE projection_version = ? AND position = ?',
    );
    this.selectBody = db
      .prepare<[number, number], Buffer>(
        'SELECT body FROM view_snapshots WHERE projection_version = ? AND position = ?',
      )
      .pluck();
    this.insertRow = db.prepare(
      'INSERT OR IGNORE INTO view_snapshots (projection_version, position, base, depth, views, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.deleteOthers = db.prepare('DELETE FROM view_snapshots WHERE projection_version <> ?');
    this.deleteRow = db.prepare('DELETE FROM view_snapshots WHERE projection_version = ? AND position = ?');
  }

  /** The newest snapshot at or before `position`. */
  nearest(position: number): SnapshotInfo | undefined {
    const row = this.selectNearest.get(this.projectionVersion, position);
    return row && infoOf(row);
  }

  /**
   * The newest link of `snapshot`'s chain at most `depth` after the keyframe: what a merged
   * delta goes on. Undefined when a row of the chain is missing.
   */
  linkAtDepth(snapshot: SnapshotInfo, depth: number): SnapshotInfo | undefined {
    let link: SnapshotInfo | undefined = snapshot;
    while (link && link.depth > depth) {
      const base: SnapshotPlace | undefined =
        link.base === undefined ? undefined : this.selectPlace.get(this.projectionVersion, link.base);
      link = base && infoOf(base);
    }
    return link;
  }

  /** Every view at the snapshot's position, or undefined when its chain cannot be read whole. */
  restore(position: number): SnapshotViews | undefined {
    const cached = this.cache.get(position);
    if (cached) {
      this.cache.delete(position);
      this.cache.set(position, cached);
      return cached;
    }
    const chain: SnapshotPlace[] = [];
    let row = this.selectPlace.get(this.projectionVersion, position);
    const depth = row?.depth ?? 0;
    const viewCount = row?.views ?? 0;
    while (row) {
      chain.push(row);
      if (row.base === null) break;
      // A base is older, and a chain is never longer than its depth says: anything else is damage.
      if (row.base >= row.position || chain.length > depth) return undefined;
      row = this.selectPlace.get(this.projectionVersion, row.base);
    }
    if (!row || row.base !== null) return this.discard(position);
    let views: SnapshotViews;
    try {
      const links = chain.reverse().map((link) => this.open(link.position));
      views = new SnapshotViews(links, this.restoredBeneath(links), viewCount);
    } catch {
      return this.discard(position);
    }
    this.cache.set(position, views);
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return views;
  }

  /**
   * The kept restore whose chain is the longest run of `links` from their keyframe, to build a
   * restore of `links` on; only restores built on none are used, so lookups go one level down.
   */
  private restoredBeneath(links: readonly OpenedSnapshot[]): SnapshotViews | undefined {
    let best: SnapshotViews | undefined;
    for (const kept of this.cache.values()) {
      const prefix = kept.chain.length <= links.length && kept.chain.every((link, i) => link === links[i]);
      if (!kept.base && prefix && kept.chain.length > (best?.chain.length ?? 0)) best = kept;
    }
    return best;
  }

  /**
   * A link of a chain, opened by an earlier restore still held, or read and opened now: a chain
   * of 10,000 systems' snapshots is a keyframe of tens of megabytes and up to 255 deltas.
   */
  private open(position: number): OpenedSnapshot {
    const known = this.opened.get(position)?.deref();
    if (known) return known;
    const body = this.selectBody.get(this.projectionVersion, position);
    if (!body) throw new Error(`the snapshot at ${position} is gone`);
    const opened = openSnapshot(body, position);
    this.opened.set(position, new WeakRef(opened));
    for (const [at, ref] of this.opened) if (!ref.deref()) this.opened.delete(at);
    return opened;
  }

  /**
   * A snapshot that cannot be restored is dropped, so the next replay past it records a good one;
   * so is one whose section turned out damaged when read (DamagedSnapshotError names it).
   */
  discard(position: number): undefined {
    for (const [at] of this.cache) this.cache.delete(at);
    this.opened.clear();
    try {
      this.deleteRow.run(this.projectionVersion, position);
    } catch {
      // A store opened read-only, or busy: the snapshot is skipped all the same.
    }
    return undefined;
  }

  /**
   * Records a snapshot: `base` undefined makes a keyframe of `views`; otherwise `views` and
   * `deleted` are what changed since `base`, and `depth` its place after the keyframe (one past
   * the base's unless it is a merged delta). A snapshot already at that position is kept.
   */
  save(
    position: number,
    views: Iterable<StoredView>,
    viewCount: number,
    base?: SnapshotInfo,
    deleted: readonly string[] = [],
    depth = base ? base.depth + 1 : 0,
  ): SnapshotInfo {
    this.insert(position, encodeSnapshot(views, base ? deleted : []), viewCount, base, depth);
    // Another writer may have been first at this position: the row that stands is the one to build on.
    return this.nearest(position)!;
  }

  /**
   * As save, deflating on libuv's thread pool (another core) and writing the row when that is
   * done: for replays and copies that let the event loop run. `views` may come in pages (a
   * keyframe of the live table, read as it is deflated). The snapshot it returns is the one being
   * written; one that never lands (the store closed first, the reading given up) takes the
   * deltas on it along: they are not written without their base.
   */
  saveInBackground(
    position: number,
    views: readonly StoredView[] | AsyncIterable<readonly StoredView[]>,
    viewCount: number,
    base?: SnapshotInfo,
    deleted: readonly string[] = [],
    depth = base ? base.depth + 1 : 0,
  ): SnapshotInfo {
    const deflated = encodeSnapshotAsync(Symbol.asyncIterator in views ? views : [views], base ? deleted : []);
    // Deflated side by side, written in order: a delta never lands before its base.
    const written = this.lastWrite.then(async () => {
      const body = await deflated;
      try {
        const baseStored = !base || this.nearest(base.position)?.position === base.position;
        if (body && baseStored && this.db.open) this.insert(position, body, viewCount, base, depth);
      } catch {
        // Busy for longer than the timeout, or closing: a snapshot less, nothing wrong.
      }
    });
    this.lastWrite = written;
    this.writing.add(written);
    void written.then(() => this.writing.delete(written));
    return base ? { position, base: base.position, depth } : { position, depth: 0 };
  }

  /** Snapshots still being deflated and written. */
  get backlog(): number {
    return this.writing.size;
  }

  /** Resolves once no more than `most` snapshots are still being written. */
  async settle(most = 0): Promise<void> {
    while (this.writing.size > most) await Promise.race(this.writing);
  }

  private insert(
    position: number,
    body: Buffer,
    viewCount: number,
    base: SnapshotInfo | undefined,
    depth: number,
  ): void {
    this.db
      .transaction(() => {
        this.deleteOthers.run(this.projectionVersion);
        this.insertRow.run(
          this.projectionVersion,
          position,
          base?.position ?? null,
          depth,
          viewCount,
          body,
          new Date().toISOString(),
        );
      })
      .immediate();
  }

  /** How many snapshots this projection version has, and their bytes. */
  stats(): { count: number; bytes: number } {
    const row = this.db
      .prepare(
        'SELECT count(*) AS count, coalesce(sum(length(body)), 0) AS bytes FROM view_snapshots WHERE projection_version = ?',
      )
      .get(this.projectionVersion) as { count: number; bytes: number };
    return row;
  }
}
