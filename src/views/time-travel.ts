import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../eventstore/database.js';
import { EVENT_COLUMNS, eventFromRow, type EventRow } from '../eventstore/event-store.js';
import type { Projector } from '../eventstore/projector.js';
import { ReplayViews } from './replay-views.js';
import type { StoredView } from '../eventstore/projector.js';
import { DamagedSnapshotError } from './snapshot-reading.js';
import {
  KEYFRAME_EVERY,
  LARGE_LAB_INTERVAL,
  MERGED_EVERY,
  SNAPSHOT_INTERVAL,
  ViewSnapshots,
  type SnapshotInfo,
  type SnapshotViews,
} from './view-snapshots.js';
import { diffJson, type JsonChange } from './json-diff.js';
import { startReadingLiveViews, type LiveViewsReading } from './live-views-reading.js';
import { eachView } from './sqlite-views.js';

/** A point in the log's past: a position (after that event) or a time (after the events recorded by then). */
export type LogPoint = { readonly position: number } | { readonly time: string };

/** A point as the log places it: the position, and when the event there was recorded. */
export interface ResolvedPoint {
  readonly position: number;
  /** Absent for position 0, before any event. */
  readonly recordedAt?: string;
}

/** A position past the end of the log: that has not happened yet. */
export class PointOutOfRangeError extends Error {
  constructor(
    readonly position: number,
    readonly lastPosition: number,
  ) {
    super(`position ${position} is past the end of the log (${lastPosition})`);
  }
}

const POSITION = /^\d{1,15}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Reads 'N' (a log position) or an ISO 8601 date and time with its offset
 * ('2026-11-25T10:00:00Z', '2026-11-25T11:00:00+01:00'); undefined for anything else.
 */
export function parseLogPoint(text: string): LogPoint | undefined {
  if (POSITION.test(text)) return { position: Number(text) };
  if (!ISO_TIME.test(text)) return undefined;
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : { time: time.toISOString() };
}

export interface TimeTravelOptions {
  /** The live projectors (catalog.ts): a replay must run exactly what the appends ran. */
  readonly projectors: readonly Projector[];
  /** Snapshots are kept per projection version; those of another are never read. */
  readonly projectionVersion: number;
  /**
   * Events between snapshots (at most LARGE_LAB_INTERVAL in a table of `deepChainViews` views);
   * 0 turns snapshots off (every read replays from position 0).
   */
  readonly snapshotInterval?: number;
  readonly keyframeEvery?: number;
  /** Record the snapshots a replay passes, so the next read there is quick (default true). */
  readonly saveSnapshots?: boolean;
  /**
   * Views from which a lab counts as large (default 100,000: a thousand systems or so): there a
   * chain of deltas goes on past keyframeEvery, with merged deltas (MERGED_EVERY) to keep
   * restores short, and snapshots come every LARGE_LAB_INTERVAL events. Below it a keyframe is
   * cheap, and restores read short chains.
   */
  readonly deepChainViews?: number;
  /** Events read from the log at a time; an async replay lets other work run between pages. */
  readonly pageSize?: number;
  /** How many live views there are, when the caller keeps count (the live store does); counted in the table otherwise. */
  readonly countLiveViews?: () => number;
}

/** One resource at two points of the log, and the changes between. */
export interface ResourceDiff {
  readonly resource: string;
  readonly from: ResolvedPoint & { readonly exists: boolean };
  readonly to: ResolvedPoint & { readonly exists: boolean };
  readonly changes: readonly JsonChange[];
}

/** A replay under way: views at `position`, and the snapshot they can be recorded relative to. */
class Replay {
  /**
   * What a merged delta would go on: the snapshot the views were restored from, or the last
   * keyframe or merged delta recorded since; and the ids changed since then.
   */
  anchor: SnapshotInfo | undefined;
  readonly changedSinceAnchor = new Set<string>();

  constructor(
    readonly views: ReplayViews,
    public position: number,
    /** The snapshot these views were restored from or last recorded as. */
    public snapshot: SnapshotInfo | undefined,
    /** The views the deltas recorded on `snapshot`'s keyframe carried, as far as this replay knows. */
    public carried = 0,
  ) {
    this.anchor = snapshot;
  }
}

/** The newest copy of the live views, what the deltas since its keyframe carried, and what a merged delta would go on. */
interface LiveChain {
  readonly snapshot: SnapshotInfo;
  readonly carried: number;
  readonly anchor: SnapshotInfo;
}

/** Where the next snapshot goes: a delta on `base`, `depth` after the keyframe. */
interface NextPlace {
  readonly base: SnapshotInfo;
  readonly depth: number;
}

/** A keyframe, or a delta at a multiple of MERGED_EVERY: the snapshot merged deltas after it go on. */
const startsBlock = (snapshot: SnapshotInfo) => snapshot.depth % MERGED_EVERY === 0;

/**
 * Time travel: any view as it was at a past position or time, replayed from the log into memory
 * with the live projectors, so the live views are never touched. A read restores the nearest
 * snapshot at or before the point and replays the events after it; the snapshots it passes on
 * the way are recorded (every `snapshotInterval` events), so reads get quick wherever they go.
 *
 * What it answers is what the current projections make of the log up to that point, which is
 * what GET returned then as long as PROJECTION_VERSION has not changed since.
 */
export class TimeTravel {
  readonly snapshots: ViewSnapshots | undefined;
  private readonly projectors: readonly Projector[];
  private readonly interval: number;
  private readonly keyframeEvery: number;
  private readonly deepChainViews: number;
  private readonly saveSnapshots: boolean;
  private readonly pageSize: number;
  private readonly selectPage: Statement<[number, number, number], EventRow>;
  private readonly selectRecordedAt: Statement<[number], { recorded_at: string }>;
  private readonly selectLast: Statement<[], { position: number | null }>;
  /** The last copy of the live table, to make the next copy a delta of it. */
  private liveChain?: LiveChain;
  /**
   * The position after which view_deletions holds every deletion: a merged delta of the live
   * table goes on no older snapshot. Unknown until the first copy, when it is taken to be the
   * newest snapshot's position (where an earlier version pruned them).
   */
  private deletionsFrom?: number;
  private readonly countLiveViews: () => number;
  private readonly selectChangedViews: Statement<[number], StoredView>;
  /** The replay the last walk handing out single views ended with, at its position: where the next may go on from. */
  private kept?: Replay;
  /** Keyframes of the live table being read in the background. */
  private readonly readings = new Set<LiveViewsReading>();
  private readonly selectDeletedIds: Statement<[number], string>;
  private readonly pruneDeletions: Statement<[number]>;

  constructor(
    readonly db: SqliteDatabase,
    options: TimeTravelOptions,
  ) {
    this.projectors = options.projectors;
    this.interval = options.snapshotInterval ?? SNAPSHOT_INTERVAL;
    this.keyframeEvery = Math.max(1, options.keyframeEvery ?? KEYFRAME_EVERY);
    this.deepChainViews = options.deepChainViews ?? 100_000;
    this.saveSnapshots = options.saveSnapshots ?? true;
    this.pageSize = options.pageSize ?? 1000;
    this.snapshots = this.interval > 0 ? new ViewSnapshots(db, options.projectionVersion) : undefined;
    this.selectPage = db
      .prepare<[number, number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`,
      )
      .raw();
    this.selectRecordedAt = db.prepare('SELECT recorded_at FROM events WHERE position = ?');
    this.selectLast = db.prepare('SELECT max(position) AS position FROM events');
    const countViews = db.prepare<[], number>('SELECT count(*) FROM views').pluck();
    this.countLiveViews = options.countLiveViews ?? (() => countViews.get()!);
    this.selectChangedViews = db.prepare(
      'SELECT odata_id AS odataId, body, position FROM views INDEXED BY views_by_position WHERE position > ? ORDER BY odata_id',
    );
    this.selectDeletedIds = db
      .prepare<[number], string>(
        'SELECT DISTINCT odata_id FROM view_deletions AS d WHERE position > ? ' +
          'AND NOT EXISTS (SELECT 1 FROM views AS v WHERE v.odata_id = d.odata_id) ORDER BY odata_id',
      )
      .pluck();
    this.pruneDeletions = db.prepare('DELETE FROM view_deletions WHERE position <= ?');
  }

  lastPosition(): number {
    return this.selectLast.get()?.position ?? 0;
  }

  private recordedAt(position: number): string | undefined {
    return position === 0 ? undefined : this.selectRecordedAt.get(position)?.recorded_at;
  }

  /**
   * The position a point names. A time is the last event recorded at or before it (0 before the
   * first; the end of the log for a time past it), found by bisecting the log, whose times rise
   * with its positions. A position past the end of the log is a PointOutOfRangeError.
   */
  resolve(point: LogPoint): ResolvedPoint {
    const last = this.lastPosition();
    let position: number;
    if ('position' in point) {
      if (point.position > last) throw new PointOutOfRangeError(point.position, last);
      position = point.position;
    } else {
      let low = 0;
      let high = last;
      while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if (this.recordedAt(middle)! <= point.time) low = middle;
        else high = middle - 1;
      }
      position = low;
    }
    const recordedAt = this.recordedAt(position);
    return recordedAt === undefined ? { position } : { position, recordedAt };
  }

  /** Every view at `position` (a position of the log, not past its end). */
  viewsAt(position: number): ReplayViews {
    let result: ReplayViews | undefined;
    drain(this.walk([position], (_, views) => (result = views.readAll())));
    return result!;
  }

  /**
   * Calls `visit` with every view at each of `positions`, in ascending order, from as few
   * replays as the snapshots allow. The views belong to the replay: read them during the call.
   */
  replayThrough(positions: readonly number[], visit: (position: number, views: ReplayViews) => void): void {
    drain(this.walk(positions, visit));
  }

  /** One view at each of `positions`, from one replay where they share a stretch of the log. */
  viewAt(odataId: string, positions: readonly number[]): (StoredView | undefined)[] {
    const found = new Map<number, StoredView | undefined>();
    drain(this.walk(positions, (position, views) => found.set(position, views.read(odataId)), { keep: true }));
    return positions.map((p) => found.get(p));
  }

  /**
   * As viewAt, letting other work (HTTP requests) run between pages of a long replay, and
   * deflating the snapshots it records on another core.
   */
  async viewAtAsync(odataId: string, positions: readonly number[]): Promise<(StoredView | undefined)[]> {
    const found = new Map<number, StoredView | undefined>();
    await this.drainAsync(
      this.walk(positions, (position, views) => found.set(position, views.read(odataId)), {
        background: true,
        keep: true,
      }),
    );
    return positions.map((p) => found.get(p));
  }

  /** As viewsAt, the way viewAtAsync goes about it. */
  async viewsAtAsync(position: number): Promise<ReplayViews> {
    let result: ReplayViews | undefined;
    await this.drainAsync(this.walk([position], (_, views) => (result = views.readAll()), { background: true }));
    return result!;
  }

  private async drainAsync(walk: Generator<void, void>): Promise<void> {
    while (!walk.next().done) {
      await new Promise((resolve) => setImmediate(resolve));
      // A replay outrunning the deflating waits, rather than holding snapshots' text in memory.
      await this.snapshots?.settle(2);
    }
  }

  /** A resource at two resolved points and the JSON changes between them. */
  diff(
    odataId: string,
    from: ResolvedPoint,
    to: ResolvedPoint,
    views: readonly (StoredView | undefined)[],
  ): ResourceDiff {
    const [before, after] = views;
    const parse = (view: StoredView | undefined) =>
      view === undefined ? undefined : (JSON.parse(view.body) as unknown);
    return {
      resource: odataId,
      from: { ...from, exists: before !== undefined },
      to: { ...to, exists: after !== undefined },
      changes: diffJson(parse(before), parse(after)),
    };
  }

  /**
   * Replays through `positions` in ascending order, calling `visit` at each, and yields between
   * pages of events. It restarts from a snapshot whenever one lies past where it has got to. A
   * snapshot found damaged only when a view of it is read (its sections are inflated as needed)
   * is dropped, and the stretch replayed again without it.
   *
   * With `keep`, it starts from the replay the last such walk ended with when that is at or
   * before the first position and no snapshot lies between, and leaves its own for the next:
   * reading a lab's resources one by one at one point (the console, a diff) replays once, not
   * once a resource. Only walks that hand out single views keep theirs, which moves on later.
   */
  private *walk(
    positions: readonly number[],
    visit: (position: number, views: ReplayViews) => void,
    { background = false, keep = false }: { background?: boolean; keep?: boolean } = {},
  ): Generator<void, void> {
    const targets = [...new Set(positions)].sort((a, b) => a - b);
    let replay: Replay | undefined;
    if (keep && this.kept && targets.length > 0 && this.kept.position <= targets[0]!) {
      // Taken, not shared: a walk running beside this one starts from a snapshot.
      replay = this.kept;
      this.kept = undefined;
    }
    for (const target of targets) {
      for (;;) {
        const nearest = this.snapshots?.nearest(target);
        if (!replay || (nearest && nearest.position > replay.position)) replay = this.start(nearest);
        try {
          yield* this.advance(replay, target, background);
          visit(target, replay.views);
          break;
        } catch (error) {
          if (!(error instanceof DamagedSnapshotError)) throw error;
          this.snapshots!.discard(error.position);
          replay = undefined;
        }
      }
    }
    if (keep) this.kept = replay;
  }

  /** Views from the snapshot (or an older one if it cannot be read), or empty at position 0. */
  private start(nearest: SnapshotInfo | undefined): Replay {
    let candidate = nearest;
    while (candidate && this.snapshots) {
      const restored: SnapshotViews | undefined = this.snapshots.restore(candidate.position);
      if (restored) return new Replay(new ReplayViews(restored), candidate.position, candidate);
      candidate = candidate.position > 0 ? this.snapshots.nearest(candidate.position - 1) : undefined;
    }
    return new Replay(new ReplayViews(), 0, undefined);
  }

  private *advance(replay: Replay, target: number, background: boolean): Generator<void, void> {
    while (replay.position < target) {
      const rows = this.selectPage.all(replay.position, target, this.pageSize);
      if (rows.length === 0) throw new Error(`the log has no events between ${replay.position} and ${target}`);
      for (const row of rows) {
        const event = eventFromRow(row);
        for (const projector of this.projectors) projector.apply(event, replay.views);
        replay.position = event.position;
        const since = replay.position - (replay.snapshot?.position ?? 0);
        if (this.saveSnapshots && this.snapshots && since >= this.intervalFor(replay.views.size))
          this.record(replay, background);
      }
      yield;
    }
  }

  /**
   * Records the replay's views as a snapshot: a delta of the last one, a merged delta on its
   * anchor (what changed since), or a keyframe.
   */
  private record(replay: Replay, background: boolean): void {
    const snapshots = this.snapshots!;
    const save = (background ? snapshots.saveInBackground : snapshots.save).bind(snapshots);
    const changed = replay.views.takeChanged();
    for (const odataId of changed) replay.changedSinceAnchor.add(odataId);
    const total = replay.views.size;
    const carried = replay.carried + changed.size;
    const next = this.placeNext(replay.snapshot, () => replay.anchor, carried, total);
    if (next) {
      const merged = next.base !== replay.snapshot;
      const { views, deleted } = replay.views.current(merged ? replay.changedSinceAnchor : changed);
      replay.snapshot = save(replay.position, views, total, next.base, deleted, next.depth);
      replay.carried = carried;
    } else {
      replay.snapshot = save(replay.position, replay.views.rows(), total);
      replay.carried = 0;
    }
    if (startsBlock(replay.snapshot)) {
      replay.anchor = replay.snapshot;
      replay.changedSinceAnchor.clear();
    }
  }

  /** Events between snapshots of a table of `total` views. */
  private intervalFor(total: number): number {
    return total >= this.deepChainViews ? Math.min(this.interval, LARGE_LAB_INTERVAL) : this.interval;
  }

  /** Events between copies of the live views table, at its size now. */
  liveInterval(): number {
    return this.intervalFor(this.countLiveViews());
  }

  /**
   * Where the snapshot after `newest` goes, the deltas since its keyframe having carried
   * `carried` of `total` views: a delta on it; in a large lab, every MERGED_EVERY, a merged delta
   * on `anchor` (when it names one), holding what changed since; undefined for a keyframe.
   */
  private placeNext(
    newest: SnapshotInfo | undefined,
    anchor: () => SnapshotInfo | undefined,
    carried: number,
    total: number,
  ): NextPlace | undefined {
    if (!newest || !this.continuesChain(newest, carried, total)) return undefined;
    const depth = newest.depth + 1;
    const mergedOn = total >= this.deepChainViews && depth % MERGED_EVERY === 0 ? anchor() : undefined;
    return { base: mergedOn ?? newest, depth };
  }

  /**
   * Whether a snapshot after `newest` is a delta, the chain carrying `carried` views since its
   * keyframe, of `total` views: up to `keyframeEvery` deep, and in a table of `deepChainViews` or
   * more further (a restore reading up to 32 times that many rows) while the deltas carried less
   * than half the views. A keyframe copies every view, a million with ten thousand systems, where
   * a delta of fifty events holds a few hundred.
   */
  private continuesChain(newest: SnapshotInfo, carried: number, total: number): boolean {
    const depth = newest.depth + 1;
    if (depth < this.keyframeEvery) return true;
    const rowsRestored = 1 + Math.floor(depth / MERGED_EVERY) + (depth % MERGED_EVERY);
    return total >= this.deepChainViews && rowsRestored <= this.keyframeEvery * 32 && carried < total / 2;
  }

  /**
   * Records a snapshot of the live views table when the log has moved `snapshotInterval` events
   * past the newest snapshot: the table at its last position is exactly what a replay would give,
   * and copying it costs a read of the table, not a replay. A delta reads only the views changed
   * since its base and the ids deleted since (view_deletions); a keyframe reads them all, so in a
   * large table the chain of deltas goes on past `keyframeEvery` (continuesChain), and a keyframe
   * in the background is read a page at a time through a connection of its own
   * (startReadingLiveViews) and deflated as it is read.
   * Returns the snapshot made, if any.
   */
  snapshotLiveViews(options: { background?: boolean } = {}): SnapshotInfo | undefined {
    const snapshots = this.snapshots;
    if (!snapshots) return undefined;
    // One read transaction: the views and the position they are at agree, whoever appends.
    const made = this.db.transaction((): LiveChain | undefined => {
      const position = this.lastPosition();
      // The newest snapshot: in the table, or the last copy if it is newer (still being written).
      const stored = snapshots.nearest(position);
      const mine = this.liveChain?.snapshot;
      const newest = mine && (!stored || mine.position >= stored.position) ? mine : stored;
      const total = this.countLiveViews();
      if (position === 0 || position - (newest?.position ?? 0) < this.intervalFor(total)) return undefined;
      const chain = newest && this.liveChain?.snapshot.position === newest.position ? this.liveChain : undefined;
      const carried = chain?.carried ?? 0;
      const deletionsFrom = (this.deletionsFrom ??= stored?.position ?? 0);
      const anchor = () => {
        const link = chain?.anchor ?? (newest && snapshots.linkAtDepth(newest, newest.depth + 1 - MERGED_EVERY));
        // A merged delta needs the deletions since its base.
        return link && link.position >= deletionsFrom ? link : undefined;
      };
      // The deltas' carried views are known only once read: a chain at its cap of depth is ended without reading them.
      const next = this.placeNext(newest, anchor, carried, total);
      if (newest && next) {
        const changed = this.selectChangedViews.all(next.base.position);
        const deleted = this.selectDeletedIds.all(next.base.position);
        const more = carried + changed.filter((view) => view.position > newest.position).length + deleted.length;
        if (this.continuesChain(newest, more, total)) {
          const save = (options.background ? snapshots.saveInBackground : snapshots.save).bind(snapshots);
          const snapshot = save(position, changed, total, next.base, deleted, next.depth);
          // A merged delta starts a block; after a restart, so does the first copy.
          return { snapshot, carried: more, anchor: startsBlock(snapshot) ? snapshot : (chain?.anchor ?? snapshot) };
        }
      }
      if (!options.background || this.db.memory) {
        const snapshot = snapshots.save(position, eachView(this.db), total);
        return { snapshot, carried: 0, anchor: snapshot };
      }
      const reading = startReadingLiveViews(this.db.name);
      this.readings.add(reading);
      void reading.ended.then(() => this.readings.delete(reading));
      const snapshot = snapshots.saveInBackground(reading.position, reading.pages, reading.total);
      return { snapshot, carried: 0, anchor: snapshot };
    })();
    if (!made) return undefined;
    this.liveChain = made;
    // Deletions a later copy needs are those after the snapshot the next merged delta would go on.
    this.pruneDeletions.run(made.anchor.position);
    this.deletionsFrom = made.anchor.position;
    return made.snapshot;
  }

  /** Gives up a keyframe still being read, and waits for the snapshots being written: before the store closes. */
  async close(): Promise<void> {
    for (const reading of this.readings) reading.stop();
    await this.snapshots?.settle();
  }
}

function drain(generator: Generator<void, void>): void {
  while (!generator.next().done);
}
