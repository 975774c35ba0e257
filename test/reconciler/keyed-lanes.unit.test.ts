import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../src/eventstore/database.js';
import { migrate } from '../../src/eventstore/migrations.js';
import { EventStore } from '../../src/eventstore/event-store.js';
import { LogCheckpoint } from '../../src/reconciler/log-checkpoint.js';
import { KeyedLanes } from '../../src/reconciler/keyed-lanes.js';
import { LoopHealth } from '../../src/health/loop-health.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

function newStore(): EventStore {
  const db = openDatabase(join(tempDir(), 'events.db'));
  migrate(db);
  return new EventStore(db);
}

/** Work that runs until its test says it is done (or failed). */
function gate() {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  let started = false;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    work: () => {
      started = true;
      return done;
    },
    get started() {
      return started;
    },
    finish,
    fail,
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

function lanesOn(store: EventStore, width = 8, lines: string[] = []) {
  const checkpoint = new LogCheckpoint(store, 'lanes', 60_000);
  const health = new LoopHealth((line) => lines.push(line));
  const lanes = new KeyedLanes({ width, name: 'lanes', health, checkpoint, retryMs: 10, maxRetryMs: 10 });
  return { lanes, checkpoint, health };
}

describe('KeyedLanes', () => {
  it("runs different keys' work side by side and one key's in the order handed", async () => {
    const store = newStore();
    const { lanes } = lanesOn(store);
    const [a1, a2, b1] = [gate(), gate(), gate()];
    await lanes.add('a', 1, a1.work);
    await lanes.add('a', 2, a2.work);
    await lanes.add('b', 3, b1.work);
    await turn();
    expect([a1.started, a2.started, b1.started]).toEqual([true, false, true]);
    b1.finish();
    await turn();
    expect(a2.started).toBe(false);
    a1.finish();
    await turn();
    expect(a2.started).toBe(true);
    a2.finish();
    await lanes.close();
  });

  it('takes no more than its width: the next event is handed once a work is done', async () => {
    const store = newStore();
    const { lanes } = lanesOn(store, 2);
    const [a, b, c] = [gate(), gate(), gate()];
    await lanes.add('a', 1, a.work);
    let handed = false;
    const second = lanes.add('b', 2, b.work).then(() => (handed = true));
    await turn();
    expect(handed).toBe(false);
    a.finish();
    await second;
    const third = lanes.add('c', 3, c.work);
    b.finish();
    await third;
    expect(c.started).toBe(true);
    c.finish();
    await lanes.close();
  });

  it('saves the place before the oldest work not done, with what is done after it, and a restart skips only that', async () => {
    const store = newStore();
    const { lanes, checkpoint } = lanesOn(store);
    const [a, b, c] = [gate(), gate(), gate()];
    await lanes.add('a', 1, a.work);
    lanes.pass(2);
    await lanes.add('b', 3, b.work);
    await lanes.add('c', 4, c.work);
    lanes.pass(5);
    c.finish();
    await turn();
    expect([store.checkpoint('lanes'), store.checkpointAhead('lanes')]).toEqual([0, [4]]);
    a.finish();
    await turn();
    expect([store.checkpoint('lanes'), store.checkpointAhead('lanes')]).toEqual([2, [4]]);

    // Stopped with the work of 3 not done: a restart starts after 2, does 3 and skips 4.
    const stopped = lanes.close();
    checkpoint.stop();
    const again = new LogCheckpoint(store, 'lanes', 60_000);
    expect(again.position).toBe(2);
    expect([3, 4, 5].map((position) => again.actedBefore(position))).toEqual([false, true, false]);
    b.finish();
    await stopped;

    const relanes = new KeyedLanes({
      width: 8,
      name: 'lanes',
      health: new LoopHealth(() => undefined),
      checkpoint: again,
    });
    const redone = gate();
    await relanes.add('b', 3, redone.work);
    relanes.pass(4);
    relanes.pass(5);
    redone.finish();
    await turn();
    expect([store.checkpoint('lanes'), store.checkpointAhead('lanes')]).toEqual([5, []]);
    await relanes.close();
  });

  it('retries a failing work on its lane while the other lanes go on, failing once and recovering once on /healthz', async () => {
    const store = newStore();
    const lines: string[] = [];
    const { lanes, health } = lanesOn(store, 8, lines);
    let attempts = 0;
    const flaky = async () => {
      attempts += 1;
      if (attempts < 3) throw new Error('disk full');
    };
    const after = gate();
    const other = gate();
    await lanes.add('a', 1, flaky, '/redfish/v1/Systems/a');
    await lanes.add('a', 2, after.work);
    await lanes.add('b', 3, other.work);
    await turn();
    expect(health.failing()).toMatchObject([
      { name: 'lanes', resource: '/redfish/v1/Systems/a', lastError: 'disk full' },
    ]);
    // The follower handing events on does not clear the lane's failure.
    lanes.followerHealth.succeeded('lanes');
    expect(health.failing()).toHaveLength(1);
    expect(other.started).toBe(true);
    other.finish();
    await expect.poll(() => after.started).toBe(true);
    expect(attempts).toBe(3);
    expect(health.failing()).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^lanes: failing on/), expect.stringMatching(/^lanes: recovered/)]);
    after.finish();
    await lanes.close();
  });

  it('gives up a retry when closed, and leaves the place before it', async () => {
    const store = newStore();
    const { lanes } = lanesOn(store);
    const queued = gate();
    await lanes.add('a', 1, async () => {
      throw new Error('never');
    });
    await lanes.add('a', 2, queued.work);
    await turn();
    await lanes.close();
    expect(queued.started).toBe(false);
    expect(store.checkpoint('lanes')).toBeUndefined();
  });
});
