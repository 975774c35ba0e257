import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../src/eventstore/database.js';
import { migrate } from '../../src/eventstore/migrations.js';
import { EventStore } from '../../src/eventstore/event-store.js';
import { followLog } from '../../src/eventstore/follow-log.js';
import { LoopHealth } from '../../src/health/loop-health.js';
import { useTempDirs } from '../support/temp-dir.js';
import { eventually } from '../support/eventually.js';

const tempDir = useTempDirs();

function newStore(): EventStore {
  const db = openDatabase(join(tempDir(), 'events.db'));
  migrate(db);
  return new EventStore(db, { projectors: [] });
}

describe('followLog', () => {
  it('hands a failed event again after a wait, goes on in order, and says once that it fails and once that it recovered', async () => {
    const store = newStore();
    for (let n = 1; n <= 3; n++)
      store.append({ streamId: `/s${n}`, expectedVersion: 0, events: [{ type: 'Made', data: { n } }] });
    const handled: number[] = [];
    const lines: string[] = [];
    let refusals = 3;
    const health = new LoopHealth((line) => lines.push(line));
    const follower = followLog(store, {
      name: 'test follower',
      afterPosition: 0,
      retryMs: 10,
      health,
      resourceOf: (event) => event.streamId,
      handler: (event) => {
        if (event.position === 2 && refusals-- > 0) throw new Error('database or disk is full');
        handled.push(event.position);
      },
    });
    await eventually(() => follower.failing !== undefined, 'the follower to report its failure');
    expect(follower.failing).toBe('database or disk is full');
    expect(health.failing()).toMatchObject([
      { name: 'test follower', resource: '/s2', lastError: 'database or disk is full' },
    ]);
    await eventually(() => handled.length === 3, 'every event to be handled');
    expect(handled).toEqual([1, 2, 3]);
    expect(follower.failing).toBeUndefined();
    expect(health.failing()).toEqual([]);
    // Three failed attempts: one line as it started failing, one as it recovered.
    expect(lines).toEqual([
      expect.stringMatching(/^test follower: failing on \/s2: database or disk is full/),
      expect.stringMatching(/^test follower: recovered after 3 failed attempts/),
    ]);
    // Still live after its failures: a new event is handed too.
    store.append({ streamId: '/s4', expectedVersion: 0, events: [{ type: 'Made', data: {} }] });
    await eventually(() => handled.length === 4, 'the event appended after the failures');
    await follower.close();
    store.db.close();
  });

  it('stops for good when closed while waiting to try again', async () => {
    const store = newStore();
    store.append({ streamId: '/s', expectedVersion: 0, events: [{ type: 'Made', data: {} }] });
    let attempts = 0;
    const follower = followLog(store, {
      name: 'test follower',
      afterPosition: 0,
      retryMs: 50,
      health: new LoopHealth(() => undefined),
      handler: () => {
        attempts += 1;
        throw new Error('always');
      },
    });
    await eventually(() => attempts === 1, 'the first attempt');
    await follower.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(attempts).toBe(1);
    store.db.close();
  });
});
