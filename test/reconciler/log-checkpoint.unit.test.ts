import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../src/eventstore/database.js';
import { migrate } from '../../src/eventstore/migrations.js';
import { EventStore } from '../../src/eventstore/event-store.js';
import { LogCheckpoint } from '../../src/reconciler/log-checkpoint.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

function newStore(): EventStore {
  const db = openDatabase(join(tempDir(), 'events.db'));
  migrate(db);
  return new EventStore(db);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LogCheckpoint', () => {
  it('saves the place at once after an event the follower acted on', () => {
    const store = newStore();
    const checkpoint = new LogCheckpoint(store, 'follower', 60_000);
    checkpoint.passed(1);
    checkpoint.acted(2);
    expect(store.checkpoint('follower')).toBe(2);
    checkpoint.stop();
  });

  it('saves the place after events passed over once, within the delay, at the last of them', async () => {
    const store = newStore();
    const checkpoint = new LogCheckpoint(store, 'follower', 50);
    const saved: number[] = [];
    const save = store.saveCheckpoint.bind(store);
    store.saveCheckpoint = (name, position) => {
      saved.push(position);
      save(name, position);
    };
    for (let position = 1; position <= 100; position += 1) checkpoint.passed(position);
    expect(store.checkpoint('follower')).toBeUndefined();
    await pause(150);
    expect(saved).toEqual([100]);
    expect(store.checkpoint('follower')).toBe(100);
  });

  it('saves the last event passed over when the follower stops, and starts from there again', () => {
    const store = newStore();
    const checkpoint = new LogCheckpoint(store, 'follower', 60_000);
    checkpoint.acted(3);
    checkpoint.passed(4);
    checkpoint.passed(5);
    expect(store.checkpoint('follower')).toBe(3);
    checkpoint.stop();
    expect(store.checkpoint('follower')).toBe(5);
    expect(new LogCheckpoint(store, 'follower').position).toBe(5);
    expect(new LogCheckpoint(store, 'another').position).toBe(0);
  });

  it('loses nothing but a save when the store is closed before the delay is over', async () => {
    const store = newStore();
    const checkpoint = new LogCheckpoint(store, 'follower', 20);
    checkpoint.acted(1);
    checkpoint.passed(2);
    store.db.close();
    await pause(60);
    const reopened = new EventStore(openDatabase(store.db.name));
    expect(new LogCheckpoint(reopened, 'follower').position).toBe(1);
  });
});
