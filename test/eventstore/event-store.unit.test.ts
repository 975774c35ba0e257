import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../src/eventstore/database.js';
import { migrate } from '../../src/eventstore/migrations.js';
import { EventStore } from '../../src/eventstore/event-store.js';
import { WrongExpectedVersionError } from '../../src/eventstore/conflict.js';
import { subscribe } from '../../src/eventstore/subscription.js';
import type { RecordedEvent } from '../../src/eventstore/event.js';
import type { Projector } from '../../src/eventstore/projector.js';
import { SqliteViews } from '../../src/views/sqlite-views.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

/** Keeps a counter document per stream, so tests can see projections move with appends. */
const counter: Projector = {
  name: 'counter',
  apply(event, views) {
    const id = `/counters${event.streamId}`;
    const doc = views.get(id) ?? { '@odata.id': id, Count: 0 };
    doc['Count'] = (doc['Count'] as number) + 1;
    views.put(doc, event.position);
  },
};

function newStore(clock = () => new Date('2026-01-02T03:04:05.678Z')) {
  const db = openDatabase(join(tempDir(), 'events.db'));
  migrate(db);
  return new EventStore(db, { projectors: [counter], views: new SqliteViews(db), clock });
}

/** Two stores on one file, each with its own connection: the server and a CLI beside it. */
function twoProcesses() {
  const file = join(tempDir(), 'events.db');
  const open = () => {
    const db = openDatabase(file);
    migrate(db);
    return new EventStore(db, { projectors: [counter], views: new SqliteViews(db) });
  };
  return { server: open(), cli: open() };
}

function countRows(store: EventStore, table: 'events' | 'views'): number {
  return (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('EventStore', () => {
  it('appends with gap-free positions and stream versions, and reads them back', () => {
    const store = newStore();
    const a = store.append({
      streamId: '/a',
      expectedVersion: 0,
      events: [
        { type: 'Made', data: { n: 1 } },
        { type: 'Changed', data: { n: 2 }, subject: '/a/child' },
      ],
      meta: { actor: 'user:admin', requestId: 'r1' },
    });
    const b = store.append({ streamId: '/b', expectedVersion: 0, events: [{ type: 'Made', data: {} }] });
    expect(a).toEqual({ streamId: '/a', streamVersion: 2, firstPosition: 1, lastPosition: 2 });
    expect(b).toEqual({ streamId: '/b', streamVersion: 1, firstPosition: 3, lastPosition: 3 });

    const stream = store.readStream('/a');
    expect(stream.map((e) => [e.position, e.streamVersion, e.type, e.subject])).toEqual([
      [1, 1, 'Made', '/a'],
      [2, 2, 'Changed', '/a/child'],
    ]);
    expect(stream[1]!.data).toEqual({ n: 2 });
    expect(stream[0]!.meta).toEqual({ actor: 'user:admin', requestId: 'r1' });
    expect(stream[0]!.recordedAt).toBe('2026-01-02T03:04:05.678Z');
    expect(store.readAfter(1).map((e) => e.position)).toEqual([2, 3]);
    expect(store.lastPosition()).toBe(3);
    expect(store.streamVersion('/a')).toBe(2);
    expect(store.streamVersion('/nothing')).toBe(0);
  });

  it('projects inline: a read right after the append sees the change, stamped with its position', () => {
    const store = newStore();
    store.append({ streamId: '/a', expectedVersion: 0, events: [{ type: 'X', data: {} }] });
    store.append({ streamId: '/a', expectedVersion: 1, events: [{ type: 'X', data: {} }] });
    const view = store.views.get('/counters/a');
    expect(view && JSON.parse(view.body)).toEqual({ '@odata.id': '/counters/a', Count: 2 });
    expect(view?.position).toBe(2);
  });

  it('refuses a wrong expected version with a typed conflict and writes nothing', () => {
    const store = newStore();
    store.append({ streamId: '/a', expectedVersion: 0, events: [{ type: 'X', data: {} }] });
    const before = { events: countRows(store, 'events'), view: store.views.get('/counters/a') };

    expect(() => store.append({ streamId: '/a', expectedVersion: 0, events: [{ type: 'X', data: {} }] })).toThrow(
      WrongExpectedVersionError,
    );
    try {
      store.append({ streamId: '/a', expectedVersion: 5, events: [{ type: 'X', data: {} }] });
    } catch (err) {
      expect(err).toMatchObject({ streamId: '/a', expectedVersion: 5, actualVersion: 1 });
    }
    expect(countRows(store, 'events')).toBe(before.events);
    expect(store.views.get('/counters/a')).toEqual(before.view);
  });

  it('rolls back every stream of a multi-stream append when one conflicts', () => {
    const store = newStore();
    store.append({ streamId: '/b', expectedVersion: 0, events: [{ type: 'X', data: {} }] });
    expect(() =>
      store.appendAll([
        { streamId: '/a', expectedVersion: 0, events: [{ type: 'X', data: {} }] },
        { streamId: '/b', expectedVersion: 0, events: [{ type: 'X', data: {} }] },
      ]),
    ).toThrow(WrongExpectedVersionError);
    expect(store.streamVersion('/a')).toBe(0);
    expect(store.views.get('/counters/a')).toBeUndefined();
    expect(countRows(store, 'events')).toBe(1);
    // What the rolled-back append remembered is gone: the next one checks against what committed.
    expect(store.append({ streamId: '/a', expectedVersion: 0, events: [{ type: 'X', data: {} }] }).streamVersion).toBe(
      1,
    );
    expect(JSON.parse(store.views.get('/counters/a')!.body).Count).toBe(1);
  });

  it('rolls back the events when a projector fails', () => {
    const failing: Projector = {
      name: 'failing',
      apply(event) {
        if (event.type === 'Poison') throw new Error('projector bug');
      },
    };
    const db = openDatabase(join(tempDir(), 'events.db'));
    migrate(db);
    const store = new EventStore(db, { projectors: [counter, failing], views: new SqliteViews(db) });
    expect(() =>
      store.append({
        streamId: '/a',
        expectedVersion: 'any',
        events: [
          { type: 'Ok', data: {} },
          { type: 'Poison', data: {} },
        ],
      }),
    ).toThrow('projector bug');
    expect(countRows(store, 'events')).toBe(0);
    expect(countRows(store, 'views')).toBe(0);
    expect(store.views.get('/counters/a')).toBeUndefined();
  });

  it('serves views written by another process on the same file, once it has looked again', async () => {
    const { server, cli } = twoProcesses();
    server.append({ streamId: '/a', expectedVersion: 0, events: [{ type: 'X', data: {} }] });
    expect(JSON.parse(server.views.get('/counters/a')!.body).Count).toBe(1);
    cli.append({ streamId: '/a', expectedVersion: 1, events: [{ type: 'X', data: {} }] });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(JSON.parse(server.views.get('/counters/a')!.body).Count).toBe(2);
    expect(server.views.get('/counters/a')!.position).toBe(2);
  });

  it('appends on top of what another process appended, without waiting: stream versions and views are read again', () => {
    const { server, cli } = twoProcesses();
    server.append({ streamId: '/a', expectedVersion: 0, events: [{ type: 'X', data: {} }] });
    cli.append({ streamId: '/a', expectedVersion: 1, events: [{ type: 'X', data: {} }] });

    expect(() => server.append({ streamId: '/a', expectedVersion: 1, events: [{ type: 'X', data: {} }] })).toThrow(
      WrongExpectedVersionError,
    );
    expect(server.append({ streamId: '/a', expectedVersion: 2, events: [{ type: 'X', data: {} }] }).streamVersion).toBe(
      3,
    );
    // The projector read the count the other process wrote, not the one this process remembered.
    const stored = server.db.prepare("SELECT body FROM views WHERE odata_id = '/counters/a'").pluck().get() as string;
    expect(JSON.parse(stored).Count).toBe(3);
  });

  it("forgets what an append inside a caller's transaction wrote when that transaction rolls back", () => {
    const store = newStore();
    expect(() =>
      store.db.transaction(() => {
        store.append({ streamId: '/a', expectedVersion: 0, events: [{ type: 'X', data: {} }] });
        throw new Error('caller gives up');
      })(),
    ).toThrow('caller gives up');
    expect(store.append({ streamId: '/a', expectedVersion: 0, events: [{ type: 'X', data: {} }] }).streamVersion).toBe(
      1,
    );
    expect(JSON.parse(store.views.get('/counters/a')!.body).Count).toBe(1);
    expect(countRows(store, 'events')).toBe(1);
  });

  it('stores the last state of each view a transaction changed, however often projectors changed it', () => {
    const toggler: Projector = {
      name: 'toggler',
      apply(event, views) {
        const id = `/toggles${event.streamId}`;
        if (event.type === 'Off') views.delete(id);
        else views.put({ '@odata.id': id, State: event.type }, event.position);
      },
    };
    const db = openDatabase(join(tempDir(), 'events.db'));
    migrate(db);
    const store = new EventStore(db, { projectors: [toggler], views: new SqliteViews(db) });
    const types = (...names: string[]) => names.map((type) => ({ type, data: {} }));
    store.appendAll([
      { streamId: '/a', expectedVersion: 0, events: types('On', 'Off') },
      { streamId: '/b', expectedVersion: 0, events: types('On', 'Off', 'Dimmed') },
      { streamId: '/c', expectedVersion: 0, events: types('On') },
    ]);
    store.append({ streamId: '/c', expectedVersion: 1, events: types('Bright', 'Off') });
    const stored = db.prepare('SELECT odata_id, body, position FROM views ORDER BY odata_id').all();
    expect(stored).toEqual([
      { odata_id: '/toggles/b', body: '{"@odata.id":"/toggles/b","State":"Dimmed"}', position: 5 },
    ]);
    expect(store.views.get('/toggles/a')).toBeUndefined();
    expect(store.views.get('/toggles/c')).toBeUndefined();
  });

  it('hands a projector the document as stored, whatever a projector did to the one it was handed before', () => {
    // Changes the document it is handed, then puts it back, leaves it changed, or fails.
    const meddler: Projector = {
      name: 'meddler',
      apply(event, views) {
        const id = `/meddled${event.streamId}`;
        const doc = views.get(id) ?? { '@odata.id': id, Count: 0 };
        seen.push(doc['Count'] as number);
        doc['Count'] = (doc['Count'] as number) + 1;
        if (event.type === 'Kept') views.put(doc, event.position);
        if (event.type === 'Failed') throw new Error('projector bug');
      },
    };
    const seen: number[] = [];
    const db = openDatabase(join(tempDir(), 'events.db'));
    migrate(db);
    const store = new EventStore(db, { projectors: [meddler], views: new SqliteViews(db) });
    const append = (type: string) =>
      store.append({ streamId: '/a', expectedVersion: 'any', events: [{ type, data: {} }] });
    append('Kept');
    append('Kept');
    append('Dropped');
    append('Dropped');
    expect(() => append('Failed')).toThrow('projector bug');
    expect(() => append('Failed')).toThrow('projector bug');
    append('Kept');
    // A change not put, or made by a transaction that rolled back, is not what the next one reads.
    expect(seen).toEqual([0, 1, 2, 2, 2, 2, 2]);
    expect(JSON.parse(store.views.get('/meddled/a')!.body).Count).toBe(3);
  });

  it('hands a projector what another process wrote since this one put the document', () => {
    const { server, cli } = twoProcesses();
    server.append({ streamId: '/a', expectedVersion: 0, events: [{ type: 'X', data: {} }] });
    cli.append({ streamId: '/a', expectedVersion: 1, events: [{ type: 'X', data: {} }] });
    cli.append({ streamId: '/a', expectedVersion: 2, events: [{ type: 'X', data: {} }] });
    server.append({ streamId: '/a', expectedVersion: 3, events: [{ type: 'X', data: {} }] });
    expect(JSON.parse(server.views.get('/counters/a')!.body).Count).toBe(4);
  });

  it('keeps the count of views as appends add, change and delete them, through rollbacks and other writers', () => {
    const removable: Projector = {
      name: 'removable',
      apply(event, views) {
        if (event.type === 'Gone') views.delete(`/counters${event.streamId}`);
      },
    };
    const file = join(tempDir(), 'events.db');
    const open = () => {
      const db = openDatabase(file);
      migrate(db);
      return new EventStore(db, { projectors: [counter, removable], views: new SqliteViews(db) });
    };
    const [server, cli] = [open(), open()];
    const append = (store: EventStore, streamId: string, type = 'X') =>
      store.append({ streamId, expectedVersion: 'any', events: [{ type, data: {} }] });
    const agrees = () => expect(server.views.count()).toBe(countRows(server, 'views'));

    expect(server.views.count()).toBe(0);
    append(server, '/a');
    append(server, '/b');
    append(server, '/a');
    agrees();
    expect(server.views.count()).toBe(2);
    // Counted, then deleted by the same transaction: no change.
    server.append({
      streamId: '/c',
      expectedVersion: 'any',
      events: [
        { type: 'X', data: {} },
        { type: 'Gone', data: {} },
      ],
    });
    append(server, '/b', 'Gone');
    agrees();
    expect(() =>
      server.db.transaction(() => {
        append(server, '/d');
        throw new Error('caller gives up');
      })(),
    ).toThrow('caller gives up');
    agrees();
    append(cli, '/e');
    append(server, '/f');
    agrees();
    expect(server.views.count()).toBe(3);
  });

  it('never lets an event be updated or deleted', () => {
    const store = newStore();
    store.append({ streamId: '/a', expectedVersion: 0, events: [{ type: 'X', data: {} }] });
    expect(() => store.db.prepare("UPDATE events SET type = 'Y'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    expect(store.readStream('/a')[0]!.type).toBe('X');
  });

  it('refuses an append with no events', () => {
    const store = newStore();
    expect(() => store.append({ streamId: '/a', expectedVersion: 0, events: [] })).toThrow(/no events/);
  });
});

describe('subscribe', () => {
  it('delivers past events, then live ones, once each and in order', async () => {
    const store = newStore();
    store.append({
      streamId: '/a',
      expectedVersion: 'any',
      events: [
        { type: 'One', data: {} },
        { type: 'Two', data: {} },
      ],
    });
    const seen: RecordedEvent[] = [];
    const subscription = subscribe(store, {
      afterPosition: 1,
      pollIntervalMs: 60_000,
      handler: async (event) => {
        seen.push(event);
        // An append while the handler is busy must still be delivered without waiting for the poll.
        if (event.type === 'Three')
          store.append({ streamId: '/a', expectedVersion: 'any', events: [{ type: 'Four', data: {} }] });
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    store.append({ streamId: '/b', expectedVersion: 'any', events: [{ type: 'Three', data: {} }] });
    await expect.poll(() => seen.length, { timeout: 2000 }).toBe(3);
    await subscription.close();
    expect(seen.map((e) => [e.position, e.type])).toEqual([
      [2, 'Two'],
      [3, 'Three'],
      [4, 'Four'],
    ]);
    expect(subscription.position).toBe(4);
  });

  it('sees appends made by another connection to the same file by polling', async () => {
    const file = join(tempDir(), 'events.db');
    const db = openDatabase(file);
    migrate(db);
    const reader = new EventStore(db);
    const seen: string[] = [];
    const subscription = subscribe(reader, {
      afterPosition: 0,
      pollIntervalMs: 20,
      handler: (e) => void seen.push(e.type),
    });
    const other = new EventStore(openDatabase(file));
    other.append({ streamId: '/a', expectedVersion: 0, events: [{ type: 'FromElsewhere', data: {} }] });
    await expect.poll(() => seen, { timeout: 2000 }).toEqual(['FromElsewhere']);
    await subscription.close();
  });

  it('stops and reports a handler failure, keeping the position of the last handled event', async () => {
    const store = newStore();
    store.append({
      streamId: '/a',
      expectedVersion: 'any',
      events: [
        { type: 'Good', data: {} },
        { type: 'Bad', data: {} },
      ],
    });
    const subscription = subscribe(store, {
      afterPosition: 0,
      handler: (event) => {
        if (event.type === 'Bad') throw new Error('handler failed');
      },
    });
    await expect(subscription.done).rejects.toThrow('handler failed');
    expect(subscription.position).toBe(1);
  });
});
