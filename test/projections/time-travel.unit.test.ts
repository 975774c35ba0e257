import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { openEventStore } from '../../src/views/open-store.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import type { SqliteDatabase } from '../../src/eventstore/database.js';
import { PROJECTION_VERSION, projectors } from '../../src/projections/catalog.js';
import {
  parseLogPoint,
  PointOutOfRangeError,
  TimeTravel,
  type TimeTravelOptions,
} from '../../src/views/time-travel.js';
import { encodeSnapshot, SnapshotEncoder, type SnapshotIndex } from '../../src/views/snapshot-encoding.js';
import { decodeSnapshot } from '../../src/views/snapshot-reading.js';
import { MERGED_EVERY, ViewSnapshots } from '../../src/views/view-snapshots.js';
import { diffJson, type JsonChange } from '../../src/views/json-diff.js';
import type { ReplayViews } from '../../src/views/replay-views.js';
import type { StoredView } from '../../src/eventstore/projector.js';
import { LabHistory } from '../support/lab-history.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const START = Date.UTC(2026, 0, 1);

type Row = [string, string, number];
const digest = (rows: readonly Row[]) => createHash('sha256').update(JSON.stringify(rows)).digest('hex');
const liveRows = (db: SqliteDatabase) =>
  db.prepare('SELECT odata_id, body, position FROM views ORDER BY odata_id').raw().all() as Row[];
const replayRows = (views: ReplayViews) => views.rows().map((v): Row => [v.odataId, v.body, v.position]);

interface Recorded {
  readonly store: EventStore;
  /** After each append: the position reached and a digest of the whole views table. */
  readonly states: { position: number; digest: string; rows?: Row[] }[];
}

/** A store with the live projectors and a clock that moves a second per append. */
function openTickingStore(): EventStore {
  let tick = 0;
  const clock = () => new Date(START + (tick += 1) * 1000);
  return openEventStore({
    file: join(tempDir(), 'events.db'),
    projectors,
    projectionVersion: PROJECTION_VERSION,
    clock,
  }).store;
}

/** A growing lab's log on a ticking store, and time travel over it with `options`. */
function liveLab(systems: number, seed: number, options: Omit<TimeTravelOptions, 'projectors' | 'projectionVersion'>) {
  const store = openTickingStore();
  const history = new LabHistory({ systems, seed });
  const timeTravel = new TimeTravel(store.db, { projectors, projectionVersion: PROJECTION_VERSION, ...options });
  return { store, history, timeTravel };
}

/** The views a stored snapshot holds, as rows in @odata.id order. */
const restoredRows = (snapshots: ViewSnapshots, position: number) =>
  [...snapshots.restore(position)!.values()]
    .map((v): Row => [v.odataId, v.body, v.position])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));

/**
 * A store with the live projectors and a ticking clock, filled with a
 * lab history append by append, the views table read after each one: what GET saw then.
 */
function recordLab(events: number, systems: number, keepRows = (_: number) => false): Recorded {
  const store = openTickingStore();
  const history = new LabHistory({ systems, seed: 7 });
  const states: Recorded['states'] = [];
  while (store.lastPosition() < events) {
    const { lastPosition } = store.append(history.next());
    const rows = liveRows(store.db);
    states.push({ position: lastPosition, digest: digest(rows), ...(keepRows(states.length) && { rows }) });
  }
  return { store, states };
}

describe('time travel', () => {
  it('replays every view, hidden state included, to the bytes the live projection had after each append', async () => {
    // One machine's log wraps (500 entries), volumes come and go, drives fail and are rebuilt.
    const { store, states } = recordLab(1000, 1);
    const positions = states.map((s) => s.position);
    const expected = new Map(states.map((s) => [s.position, s.digest]));
    // From position 0 in one pass, and from snapshots (a delta or a keyframe every 100 events).
    const full = new TimeTravel(store.db, { projectors, projectionVersion: PROJECTION_VERSION, snapshotInterval: 0 });
    const mismatches: number[] = [];
    full.replayThrough(positions, (position, views) => {
      const rows = replayRows(views);
      if (digest(rows) !== expected.get(position) || rows.length !== views.size) mismatches.push(position);
    });
    expect(mismatches).toEqual([]);

    // Snapshots recorded by a replay that deflates them on the thread pool.
    const withSnapshots = new TimeTravel(store.db, {
      projectors,
      projectionVersion: PROJECTION_VERSION,
      snapshotInterval: 100,
      keyframeEvery: 3,
    });
    const atEnd = await withSnapshots.viewsAtAsync(store.lastPosition());
    expect(digest(replayRows(atEnd))).toBe(expected.get(store.lastPosition()));
    await withSnapshots.snapshots!.settle();
    const kinds = store.db
      .prepare('SELECT depth, count(*) AS n FROM view_snapshots GROUP BY depth ORDER BY depth')
      .all();
    expect(kinds).toEqual([
      { depth: 0, n: 4 },
      { depth: 1, n: 3 },
      { depth: 2, n: 3 },
    ]);
    // Every 7th append, each read restoring the snapshot below it and replaying the rest.
    for (const position of positions.filter((_, i) => i % 7 === 0)) {
      expect(withSnapshots.snapshots!.nearest(position)?.position ?? 0).toBeLessThanOrEqual(position);
      expect(digest(replayRows(withSnapshots.viewsAt(position))), `position ${position}`).toBe(expected.get(position));
    }
    // A snapshot restored whole equals the live views at its position.
    for (const { position } of store.db.prepare('SELECT position FROM view_snapshots').all() as {
      position: number;
    }[]) {
      const restored = [...withSnapshots.snapshots!.restore(position)!.values()].sort((a, b) =>
        a.odataId < b.odataId ? -1 : 1,
      );
      const state = states.find((s) => s.position >= position)!;
      if (state.position === position)
        expect(digest(restored.map((v): Row => [v.odataId, v.body, v.position]))).toBe(state.digest);
    }
    store.db.close();
  });

  it('answers one view with the body and position GET had, and nothing before it existed', () => {
    const { store, states } = recordLab(400, 2, (i) => i % 25 === 0);
    const timeTravel = new TimeTravel(store.db, {
      projectors,
      projectionVersion: PROJECTION_VERSION,
      snapshotInterval: 50,
    });
    const system = '/redfish/v1/Systems/node-2';
    const born = (
      store.db.prepare('SELECT min(position) AS p FROM events WHERE stream_id = ?').get(system) as { p: number }
    ).p;
    expect(timeTravel.viewAt(system, [born - 1, born])).toEqual([
      undefined,
      expect.objectContaining({ odataId: system, position: born }),
    ]);
    for (const state of states.filter((s) => s.rows)) {
      const live = state.rows!.find(([id]) => id === system);
      const [view] = timeTravel.viewAt(system, [state.position]);
      expect(view && [view.odataId, view.body, view.position]).toEqual(live);
    }
    store.db.close();
  });

  it('reads several resources at one point from one replay, goes on from it to a later point, and back to an earlier one from the start', () => {
    const { store } = recordLab(400, 2);
    let applied = 0;
    const counted = projectors.map((projector) => ({
      ...projector,
      apply: (...args: Parameters<typeof projector.apply>) => {
        applied += 1;
        projector.apply(...args);
      },
    }));
    const options = { projectionVersion: PROJECTION_VERSION, snapshotInterval: 1000 };
    const timeTravel = new TimeTravel(store.db, { projectors: counted, ...options });
    const fresh = () => new TimeTravel(store.db, { projectors, ...options });
    const [one, two] = ['/redfish/v1/Systems/node-1', '/redfish/v1/Systems/node-2'];

    expect(timeTravel.viewAt(one, [300])).toEqual(fresh().viewAt(one, [300]));
    expect(applied).toBe(300 * projectors.length);
    expect(timeTravel.viewAt(two, [300])).toEqual(fresh().viewAt(two, [300]));
    expect(applied).toBe(300 * projectors.length);
    expect(timeTravel.viewAt(one, [350])).toEqual(fresh().viewAt(one, [350]));
    expect(applied).toBe(350 * projectors.length);
    expect(timeTravel.viewAt(two, [100])).toEqual(fresh().viewAt(two, [100]));
    expect(applied).toBe(450 * projectors.length);
    store.db.close();
  });

  it('resolves a time to the last event recorded by then, and refuses a position past the end', () => {
    const { store } = recordLab(60, 1);
    const timeTravel = new TimeTravel(store.db, { projectors, projectionVersion: PROJECTION_VERSION });
    const last = store.lastPosition();
    const at = (position: number) =>
      (store.db.prepare('SELECT recorded_at AS t FROM events WHERE position = ?').get(position) as { t: string }).t;
    const lastOfAppend = (position: number) =>
      (
        store.db.prepare('SELECT max(position) AS p FROM events WHERE recorded_at = ?').get(at(position)) as {
          p: number;
        }
      ).p;
    for (const position of [1, 2, 17, 30, last]) {
      expect(timeTravel.resolve({ time: at(position) })).toEqual({
        position: lastOfAppend(position),
        recordedAt: at(position),
      });
      // Half a second later is still before the next append.
      const later = new Date(Date.parse(at(position)) + 500).toISOString();
      expect(timeTravel.resolve({ time: later }).position).toBe(lastOfAppend(position));
    }
    expect(timeTravel.resolve({ time: new Date(START).toISOString() })).toEqual({ position: 0 });
    expect(timeTravel.resolve({ time: '2999-01-01T00:00:00.000Z' }).position).toBe(last);
    expect(timeTravel.resolve({ position: last })).toEqual({ position: last, recordedAt: at(last) });
    expect(() => timeTravel.resolve({ position: last + 1 })).toThrow(PointOutOfRangeError);
    store.db.close();
  });

  it('reads points given as positions or as ISO times with their offset', () => {
    expect(parseLogPoint('0')).toEqual({ position: 0 });
    expect(parseLogPoint('1234')).toEqual({ position: 1234 });
    expect(parseLogPoint('2026-11-25T10:00:00Z')).toEqual({ time: '2026-11-25T10:00:00.000Z' });
    expect(parseLogPoint('2026-11-25T11:00:00.250+01:00')).toEqual({ time: '2026-11-25T10:00:00.250Z' });
    expect(parseLogPoint('2026-11-25T10:00Z')).toEqual({ time: '2026-11-25T10:00:00.000Z' });
    for (const bad of [
      '',
      '-1',
      '1.5',
      '1e3',
      ' 12',
      'yesterday',
      '2026-11-25',
      '2026-11-25T10:00:00',
      '2026-13-45T10:00:00Z',
      '9999999999999999',
    ]) {
      expect(parseLogPoint(bad), bad).toBeUndefined();
    }
  });

  it('ignores snapshots of another projection version, and drops them when it records its own', () => {
    const { store } = recordLab(300, 1);
    const other = new TimeTravel(store.db, {
      projectors,
      projectionVersion: PROJECTION_VERSION + 1000,
      snapshotInterval: 100,
    });
    other.viewsAt(250);
    expect(
      store.db.prepare('SELECT projection_version AS v, count(*) AS n FROM view_snapshots GROUP BY v').all(),
    ).toEqual([{ v: PROJECTION_VERSION + 1000, n: 2 }]);
    const current = new TimeTravel(store.db, {
      projectors,
      projectionVersion: PROJECTION_VERSION,
      snapshotInterval: 100,
    });
    expect(current.snapshots!.nearest(250)).toBeUndefined();
    const live = digest(liveRows(store.db));
    expect(digest(replayRows(current.viewsAt(store.lastPosition())))).toBe(live);
    expect(store.db.prepare('SELECT DISTINCT projection_version AS v FROM view_snapshots').all()).toEqual([
      { v: PROJECTION_VERSION },
    ]);
    store.db.close();
  });

  it('never needs a snapshot: a damaged one is dropped and the answer replayed without it', () => {
    const { store } = recordLab(500, 1);
    const options = { projectors, projectionVersion: PROJECTION_VERSION, snapshotInterval: 100, keyframeEvery: 2 };
    const last = store.lastPosition();
    new TimeTravel(store.db, options).viewsAt(last);
    const live = digest(liveRows(store.db));
    expect(store.db.prepare('SELECT position, depth FROM view_snapshots ORDER BY position').raw().all()).toEqual([
      [100, 0],
      [200, 1],
      [300, 0],
      [400, 1],
      [500, 0],
    ]);
    // Two damaged keyframes: 500 itself, and 300 under the delta at 400.
    store.db
      .prepare('UPDATE view_snapshots SET body = ? WHERE position IN (300, 500)')
      .run(Buffer.from('not deflated'));
    const fresh = new TimeTravel(store.db, options);
    expect(digest(replayRows(fresh.viewsAt(last)))).toBe(live);
    // Each was dropped on the way down to 200, then recorded again from there.
    expect(store.db.prepare('SELECT position FROM view_snapshots ORDER BY position').pluck().all()).toEqual([
      100, 200, 300, 400, 500,
    ]);
    for (const position of [300, 400, 500]) expect(fresh.snapshots!.restore(position)).toBeDefined();
    expect(digest(replayRows(new TimeTravel(store.db, options).viewsAt(last)))).toBe(live);
    expect(digest(replayRows(new TimeTravel(store.db, { ...options, snapshotInterval: 0 }).viewsAt(last)))).toBe(live);
    store.db.close();
  });

  it('restores points of one chain on one opened keyframe, the later on the earlier, each to the views recorded there', () => {
    const { store, states } = recordLab(400, 2);
    const options = { projectors, projectionVersion: PROJECTION_VERSION, snapshotInterval: 100, keyframeEvery: 4 };
    new TimeTravel(store.db, options).viewsAt(store.lastPosition());
    const snapshots = new ViewSnapshots(store.db, PROJECTION_VERSION);
    const [at200, at300] = [snapshots.restore(200)!, snapshots.restore(300)!];
    expect(at200.chain).toHaveLength(2);
    expect(at300.chain).toHaveLength(3);
    // The keyframe at 100 and the delta at 200 were opened once, by the first restore, and the
    // second is built on the first: it indexes only the delta at 300.
    expect(at300.chain[0]).toBe(at200.chain[0]);
    expect(at300.chain[1]).toBe(at200.chain[1]);
    expect(at300.base).toBe(at200);
    const recorded = (position: number) => states.find((state) => state.position === position)!.digest;
    expect(digest(restoredRows(snapshots, 200))).toBe(recorded(200));
    expect(digest(restoredRows(snapshots, 300))).toBe(recorded(300));
    store.db.close();
  });

  it('drops a snapshot whose section is found damaged only when a replay reads it, and replays without it', () => {
    const { store } = recordLab(500, 1);
    const options = { projectors, projectionVersion: PROJECTION_VERSION, snapshotInterval: 100, keyframeEvery: 2 };
    new TimeTravel(store.db, options).viewsAt(store.lastPosition());
    const replayed = new TimeTravel(store.db, { ...options, snapshotInterval: 0 });
    const positions = () => store.db.prepare('SELECT position FROM view_snapshots ORDER BY position').pluck().all();
    // The keyframe at 300 keeps a readable index and pages; the end of its first section is spoiled.
    const body = store.db.prepare('SELECT body FROM view_snapshots WHERE position = 300').pluck().get() as Buffer;
    const indexEnd = 8 + body.readUInt32BE(4);
    const index = JSON.parse(inflateSync(body.subarray(8, indexEnd)).toString()) as SnapshotIndex;
    const firstSectionEnd = indexEnd + index.pages.reduce((sum, [, length]) => sum + length, 0) + index.sections[0]![0];
    store.db
      .prepare('UPDATE view_snapshots SET body = ? WHERE position = 300')
      .run(Buffer.concat([body.subarray(0, firstSectionEnd - 8), Buffer.alloc(8), body.subarray(firstSectionEnd)]));
    const fresh = new TimeTravel(store.db, { ...options, saveSnapshots: false });
    // A read that needs no body of that section is answered from the snapshot.
    const system = '/redfish/v1/Systems/node-1';
    expect(fresh.viewAt(system, [300])).toEqual(replayed.viewAt(system, [300]));
    expect(positions()).toEqual([100, 200, 300, 400, 500]);
    // One that reads every view finds the damage, drops the snapshot and replays from the one before.
    expect(replayRows(fresh.viewsAt(350))).toEqual(replayRows(replayed.viewsAt(350)));
    expect(positions()).toEqual([100, 200, 400, 500]);
    // The delta on it goes when it is next restored.
    expect(replayRows(fresh.viewsAt(450))).toEqual(replayRows(replayed.viewsAt(450)));
    expect(positions()).toEqual([100, 200, 500]);
    store.db.close();
  });

  it('copies the live views as snapshots while the log grows, deltas between keyframes', async () => {
    const { store, history, timeTravel } = liveLab(2, 3, { snapshotInterval: 60, keyframeEvery: 3 });
    const taken = new Map<number, string>();
    while (store.lastPosition() < 700) {
      store.append(history.next());
      // Deflated and written on the side, as the server does: the next copy may come first.
      const snapshot = timeTravel.snapshotLiveViews({ background: taken.size % 2 === 0 });
      if (snapshot) taken.set(snapshot.position, digest(liveRows(store.db)));
    }
    await timeTravel.snapshots!.settle();
    expect(taken.size).toBeGreaterThanOrEqual(10);
    const depths = store.db.prepare('SELECT depth FROM view_snapshots ORDER BY position').pluck().all();
    expect(depths.slice(0, 6)).toEqual([0, 1, 2, 0, 1, 2]);
    // The log grows with no copies taken; a read at its end replays from the newest copy and
    // records snapshots on top of it: either kind builds on the other.
    const newest = timeTravel.snapshots!.nearest(Number.MAX_SAFE_INTEGER)!.position;
    const live = new Map<number, string>();
    while (store.lastPosition() < newest + 200) {
      const { lastPosition } = store.append(history.next());
      live.set(lastPosition, digest(liveRows(store.db)));
    }
    timeTravel.viewsAt(store.lastPosition());
    const recorded = store.db
      .prepare('SELECT position FROM view_snapshots WHERE position > ?')
      .pluck()
      .all(newest) as number[];
    expect(recorded.length).toBeGreaterThanOrEqual(2);
    for (const position of recorded) if (live.has(position)) taken.set(position, live.get(position)!);
    expect([...taken.keys()].filter((p) => p > newest).length).toBeGreaterThanOrEqual(1);
    const readBack = new ViewSnapshots(store.db, PROJECTION_VERSION);
    for (const [position, expected] of taken) {
      expect(digest(restoredRows(readBack, position))).toBe(expected);
      // The count of views its row records, which a restore answers with, is the count of its views.
      expect(readBack.restore(position)!.size).toBe(restoredRows(readBack, position).length);
      // And what a replay from nothing gives there.
      const replayed = new TimeTravel(store.db, {
        projectors,
        projectionVersion: PROJECTION_VERSION,
        snapshotInterval: 0,
      }).viewsAt(position);
      expect(digest(replayRows(replayed))).toBe(expected);
    }
    store.db.close();
  });

  it('copies only what changed while the changes are small beside the table, deletions included', async () => {
    const { store, history, timeTravel } = liveLab(12, 5, {
      snapshotInterval: 40,
      keyframeEvery: 2,
      deepChainViews: 1000,
    });
    const taken = new Map<number, string>();
    while (store.lastPosition() < 1500) {
      store.append(history.next());
      const snapshot = timeTravel.snapshotLiveViews();
      if (snapshot) taken.set(snapshot.position, digest(liveRows(store.db)));
    }
    const rows = store.db.prepare('SELECT depth, views, body FROM view_snapshots ORDER BY position').all() as {
      depth: number;
      views: number;
      body: Buffer;
    }[];
    // Past keyframeEvery: the deltas carried far less than half the table.
    expect(Math.max(...rows.map((row) => row.depth))).toBeGreaterThan(2);
    const deltas = rows.filter((row) => row.depth > 0).map((row) => ({ ...decodeSnapshot(row.body), of: row.views }));
    for (const delta of deltas) expect(delta.views.length).toBeLessThan(delta.of / 2);
    expect(deltas.some((delta) => delta.deleted.length > 0)).toBe(true);
    const readBack = new ViewSnapshots(store.db, PROJECTION_VERSION);
    for (const [position, expected] of taken) {
      expect(digest(restoredRows(readBack, position))).toBe(expected);
      // The count of views its row records, which a restore answers with, is the count of its views.
      expect(readBack.restore(position)!.size).toBe(restoredRows(readBack, position).length);
    }
    // The deletions noted for the copies are dropped once past the snapshot a merged delta would go on.
    const newest = timeTravel.snapshots!.nearest(Number.MAX_SAFE_INTEGER)!.position;
    const anchor = store.db
      .prepare('SELECT max(position) FROM view_snapshots WHERE depth % ? = 0')
      .pluck()
      .get(MERGED_EVERY) as number;
    expect(store.db.prepare('SELECT count(*) FROM view_deletions WHERE position <= ?').pluck().get(anchor)).toBe(0);
    // A replay past the newest copy records on that deep chain a delta too, not a copy of every view.
    while (store.lastPosition() < newest + 100) store.append(history.next());
    timeTravel.viewsAt(store.lastPosition());
    const recorded = store.db
      .prepare('SELECT depth FROM view_snapshots WHERE position > ? ORDER BY position')
      .pluck()
      .all(newest) as number[];
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.every((depth) => depth > 2)).toBe(true);
    store.db.close();
  });

  it('merges deltas in a large lab, so a restore reads a short chain, copied or replayed, after a restart too', () => {
    const options = { snapshotInterval: 4, keyframeEvery: 2, deepChainViews: 1000 };
    const { store, history, timeTravel } = liveLab(12, 5, options);
    // The views after appends: where copies were taken, and every fourth position, where a replay records one.
    const atAppend = new Map<number, string>();
    const append = (copy: TimeTravel) => {
      const { lastPosition } = store.append(history.next());
      if (copy.snapshotLiveViews() || lastPosition % options.snapshotInterval === 0)
        atAppend.set(lastPosition, digest(liveRows(store.db)));
    };
    // Up to a copy just before a merged one is due, with deletions since the block began.
    const newestDepth = () => timeTravel.snapshots!.nearest(Number.MAX_SAFE_INTEGER)?.depth ?? 0;
    const deletionsNoted = () => store.db.prepare('SELECT count(*) FROM view_deletions').pluck().get() as number;
    while (newestDepth() !== MERGED_EVERY - 1 || deletionsNoted() === 0) append(timeTravel);
    // A restart: the new process knows only what the table says, and an earlier version had
    // dropped the deletions up to the newest snapshot, past the one a merged delta would go on.
    const restarted = new TimeTravel(store.db, { projectors, projectionVersion: PROJECTION_VERSION, ...options });
    const newestBefore = restarted.snapshots!.nearest(Number.MAX_SAFE_INTEGER)!;
    store.db.prepare('DELETE FROM view_deletions WHERE position <= ?').run(newestBefore.position);
    while (store.lastPosition() < 1500) append(restarted);
    type Place = { position: number; base: number | null; depth: number };
    const places = () =>
      store.db.prepare('SELECT position, base, depth FROM view_snapshots ORDER BY position').all() as Place[];
    const checkChains = (rows: Place[], slack: number) => {
      const at = new Map(rows.map((row) => [row.position, row]));
      const merged = rows.filter((row, i) => row.base !== null && i > 0 && row.base !== rows[i - 1]!.position);
      expect(merged.length).toBeGreaterThanOrEqual(2);
      for (const row of merged) expect(row.depth % MERGED_EVERY).toBe(0);
      for (const row of rows) {
        let length = 1;
        for (let link = row; link.base !== null; link = at.get(link.base)!) length += 1;
        // Merged deltas skip the deltas before them.
        expect(length).toBeLessThanOrEqual(
          1 + Math.floor(row.depth / MERGED_EVERY) + (row.depth % MERGED_EVERY) + slack,
        );
      }
      return merged;
    };
    const copied = places();
    // After the restart the block goes on from the first copy it made: one block longer at most.
    const merged = checkChains(copied, MERGED_EVERY);
    // None goes on a snapshot before the restart's newest once the deletions before it were gone.
    for (const row of merged.filter((m) => m.position > newestBefore.position))
      expect(row.base!).toBeGreaterThanOrEqual(newestBefore.position);
    const readBack = new ViewSnapshots(store.db, PROJECTION_VERSION);
    // Those whose chains hold merged deltas restore to the views the table had there.
    const onMerged = (rows: Place[]) => rows.filter((row) => row.depth >= MERGED_EVERY);
    for (const { position } of onMerged(copied))
      expect(digest(restoredRows(readBack, position))).toBe(atAppend.get(position));
    // A replay through the log records merged deltas of its own, with what changed since their base.
    store.db.prepare('DELETE FROM view_snapshots').run();
    new TimeTravel(store.db, { projectors, projectionVersion: PROJECTION_VERSION, ...options }).viewsAt(1500);
    const replayed = places();
    checkChains(replayed, 0);
    const replayedBack = new ViewSnapshots(store.db, PROJECTION_VERSION);
    // Those at the end of an append, where the live views were read (an append may hold several events).
    const atAnAppend = onMerged(replayed).filter(({ position }) => atAppend.has(position));
    expect(atAnAppend.length).toBeGreaterThan(onMerged(replayed).length / 2);
    for (const { position } of atAnAppend)
      expect(digest(restoredRows(replayedBack, position))).toBe(atAppend.get(position));
    store.db.close();
  });

  it('reads a keyframe of the live views a page at a time while the log grows, as the table stood when it began', async () => {
    const { store, history, timeTravel } = liveLab(40, 8, { snapshotInterval: 300, keyframeEvery: 1 });
    while (store.lastPosition() < 300) store.append(history.next());
    const atStart = liveRows(store.db);
    // More views than a page: the reading takes several turns of the event loop.
    expect(atStart.length).toBeGreaterThan(2000);
    const keyframe = timeTravel.snapshotLiveViews({ background: true })!;
    expect(keyframe).toEqual({ position: 300, depth: 0 });
    // Appends between the pages: what the keyframe holds is the table as it was at 300.
    for (let i = 0; i < 50; i += 1) {
      store.append(history.next());
      await new Promise((resolve) => setImmediate(resolve));
    }
    await timeTravel.close();
    expect(digest(restoredRows(new ViewSnapshots(store.db, PROJECTION_VERSION), 300))).toBe(digest(atStart));
    expect(digest(liveRows(store.db))).not.toBe(digest(atStart));
    store.db.close();
  });

  it('gives up a keyframe still being read when it closes, and the deltas on it', async () => {
    const { store, history, timeTravel } = liveLab(12, 9, { snapshotInterval: 300, keyframeEvery: 2 });
    while (store.lastPosition() < 300) store.append(history.next());
    timeTravel.snapshotLiveViews({ background: true });
    while (store.lastPosition() < 600) store.append(history.next());
    expect(timeTravel.snapshotLiveViews({ background: true })).toEqual({ position: 600, base: 300, depth: 1 });
    await timeTravel.close();
    expect(store.db.prepare('SELECT count(*) FROM view_snapshots').pluck().get()).toBe(0);
    store.db.close();
  });

  it('encodes a family at a time as the views come in order, deflating sections before the last view', () => {
    const views: StoredView[] = [];
    const body = (id: string, size: number) => JSON.stringify({ '@odata.id': id, Text: 'x'.repeat(size) });
    for (let n = 100; n < 400; n += 1) {
      const system = `/redfish/v1/Systems/s${n}`;
      views.push({ odataId: system, body: body(system, 900), position: n });
      views.push({ odataId: `${system}/Bios`, body: body(`${system}/Bios`, 2000), position: n + 1 });
      for (let d = 0; d < 4; d += 1)
        views.push({ odataId: `${system}/Storage/1/Drives/${d}`, body: body(`${system}/d${d}`, 600), position: n });
      views.push({ odataId: `${system}/Storage/1/Volumes`, body: body(`${system}/v`, 300), position: n });
    }
    // A family big enough for a section of its own, between the others.
    for (let t = 0; t < 40; t += 1)
      views.push({ odataId: `/redfish/v1/TaskService/Tasks/${t}`, body: body(`task ${t}`, 500), position: t });
    views.sort((a, b) => (a.odataId < b.odataId ? -1 : 1));
    const deflated: number[] = [];
    const encoder = new SnapshotEncoder((text) => deflated.push(text.length));
    for (const view of views.slice(0, -1)) encoder.add(view);
    // About 1.7 MB of bodies: sections of small families were deflated before the last view came.
    expect(deflated.length).toBeGreaterThan(20);
    const decoded = decodeSnapshot(encodeSnapshot(views)).views;
    expect(decoded.sort((a, b) => (a.odataId < b.odataId ? -1 : 1))).toEqual(views);
    expect(() => encodeSnapshot([views[1]!, views[0]!])).toThrow(/out of @odata.id order/);
  });

  it('encodes a snapshot and reads it back exactly, text beyond ASCII included', () => {
    const views: StoredView[] = [
      { odataId: '#state/x', body: '{"state":{"a":[1,2]}}', position: 3 },
      {
        odataId: '/redfish/v1/Systems/ü',
        body: JSON.stringify({ Name: 'Knoten ü 🚀', Text: 'line\nbreak' }),
        position: 9,
      },
    ];
    expect(decodeSnapshot(encodeSnapshot(views, ['/gone']))).toEqual({ views, deleted: ['/gone'] });
  });
});

/** Applies the changes a diff gives, as a JSON Patch tool would. */
function applyChanges(document: unknown, changes: readonly JsonChange[]): unknown {
  let root = structuredClone(document);
  for (const change of changes) {
    if (change.path === '') {
      root = change.op === 'remove' ? undefined : structuredClone(change.value);
      continue;
    }
    const keys = change.path
      .split('/')
      .slice(1)
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop()!;
    let parent = root as Record<string, unknown>;
    for (const key of keys) parent = parent[key] as Record<string, unknown>;
    if (Array.isArray(parent)) {
      if (change.op === 'remove') parent.splice(Number(last), 1);
      else if (change.op === 'add') parent.splice(Number(last), 0, structuredClone(change.value));
      else parent[Number(last)] = structuredClone(change.value);
    } else if (change.op === 'remove') {
      delete parent[last];
    } else {
      parent[last] = structuredClone(change.value);
    }
  }
  return root;
}

describe('JSON diff', () => {
  it('gives the JSON Patch from one document to the other, with previous values', () => {
    const from = {
      Id: '1',
      PowerState: 'Off',
      Boot: { Target: 'None', 'a/b~c': 1 },
      Members: [{ id: 1 }, { id: 2 }, { id: 3 }],
      Gone: null,
    };
    const to = { Id: '1', PowerState: 'On', Boot: { Target: 'Pxe', 'a/b~c': 1 }, Members: [{ id: 1 }], New: [1] };
    const changes = diffJson(from, to);
    expect(changes).toEqual([
      { op: 'remove', path: '/Gone', previous: null },
      { op: 'replace', path: '/PowerState', value: 'On', previous: 'Off' },
      { op: 'replace', path: '/Boot/Target', value: 'Pxe', previous: 'None' },
      { op: 'remove', path: '/Members/2', previous: { id: 3 } },
      { op: 'remove', path: '/Members/1', previous: { id: 2 } },
      { op: 'add', path: '/New', value: [1] },
    ]);
    expect(applyChanges(from, changes)).toEqual(to);
    expect(diffJson(to, to)).toEqual([]);
    expect(diffJson({ 'a/b~c': 1 }, { 'a/b~c': 2 })).toEqual([
      { op: 'replace', path: '/a~1b~0c', value: 2, previous: 1 },
    ]);
    expect(diffJson(undefined, to)).toEqual([{ op: 'add', path: '', value: to }]);
    expect(diffJson(from, undefined)).toEqual([{ op: 'remove', path: '', previous: from }]);
    expect(diffJson([1], { 0: 1 })).toEqual([{ op: 'replace', path: '', value: { 0: 1 }, previous: [1] }]);
    const grown = diffJson([1], [1, 2, 3]);
    expect(applyChanges([1], grown)).toEqual([1, 2, 3]);
  });
});
