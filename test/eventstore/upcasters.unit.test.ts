import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../src/eventstore/database.js';
import { migrate } from '../../src/eventstore/migrations.js';
import { EventStore } from '../../src/eventstore/event-store.js';
import type { NewEvent, RecordedEvent } from '../../src/eventstore/event.js';
import { loadState } from '../../src/eventstore/execute-command.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { exportLog, importLog, LogFileError } from '../../src/eventstore/log-file.js';
import { viewsOfImportedLog } from '../../src/views/rebuild.js';
import { EVENT_UPCASTERS, NewerEventError, Upcasters, type Upcaster } from '../../src/eventstore/upcasters.js';
import { systemDecider } from '../../src/domain/system/system-decider.js';
import { projectors } from '../../src/projections/catalog.js';
import { SqliteViews } from '../../src/views/sqlite-views.js';
import { rebuildViews } from '../../src/views/rebuild.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const SYSTEM = '/redfish/v1/Systems/n1';

/*
 * A payload history as a change to the domain would write it: the event types below are real,
 * their older payloads made up. IndicatorChanged once said {lit: boolean}; BootOverrideChanged
 * went through two changes ({device, once} → {target, once} → {target, enabled}); ResetRequested
 * once said {type}.
 */
const history: Upcaster[] = [
  {
    type: 'IndicatorChanged',
    fromVersion: 1,
    upcast: (data) => ({ led: (data as { lit: boolean }).lit ? 'Lit' : 'Off' }),
  },
  {
    type: 'BootOverrideChanged',
    fromVersion: 1,
    upcast: (data) => ({ target: (data as { device: string }).device, once: (data as { once: boolean }).once }),
  },
  {
    type: 'BootOverrideChanged',
    fromVersion: 2,
    upcast: (data) => ({
      target: (data as { target: string }).target,
      enabled: (data as { once: boolean }).once ? 'Once' : 'Continuous',
    }),
  },
  { type: 'ResetRequested', fromVersion: 1, upcast: (data) => ({ resetType: (data as { type: string }).type }) },
];
const upcasters = new Upcasters(history);

const service: NewEvent = {
  type: 'ServiceCreated',
  data: { uuid: '1b4e28ba-2fa1-4d2b-883f-0016d3cca427', name: 'BMC', product: 'p', redfishVersion: '1.20.0' },
};
const registered: NewEvent = {
  type: 'SystemRegistered',
  data: { systemId: 'n1', name: 'Node one', libvirtUri: 'qemu:///system', domainName: 'n1' },
};

/** The same changes, as an old build wrote them and as this one writes them. */
const oldPayloads: NewEvent[] = [
  { type: 'IndicatorChanged', data: { lit: true } },
  { type: 'BootOverrideChanged', data: { device: 'Pxe', once: true } },
  { type: 'ResetRequested', data: { type: 'ForceRestart' } },
  { type: 'IndicatorChanged', data: { lit: false } },
  { type: 'BootOverrideChanged', data: { device: 'Hdd', once: false } },
];
const newPayloads: NewEvent[] = [
  { type: 'IndicatorChanged', data: { led: 'Lit' } },
  { type: 'BootOverrideChanged', data: { target: 'Pxe', enabled: 'Once' } },
  { type: 'ResetRequested', data: { resetType: 'ForceRestart' } },
  { type: 'IndicatorChanged', data: { led: 'Off' } },
  { type: 'BootOverrideChanged', data: { target: 'Hdd', enabled: 'Continuous' } },
];

function openStore(file: string, options: ConstructorParameters<typeof EventStore>[1]): EventStore {
  const db = openDatabase(file);
  migrate(db);
  let tick = 0;
  return new EventStore(db, {
    clock: () => new Date(Date.UTC(2026, 10, 25, 10, 0, (tick += 1))),
    views: new SqliteViews(db),
    ...options,
  });
}

/** Appends the service, the system and `changes`, one append each, as the live service does. */
function write(store: EventStore, changes: readonly NewEvent[]): void {
  store.append({ streamId: '/redfish/v1', expectedVersion: 0, events: [service], meta: { actor: 'emulator' } });
  store.append({ streamId: SYSTEM, expectedVersion: 0, events: [registered], meta: { actor: 'lab-config' } });
  changes.forEach((event, i) =>
    store.append({
      streamId: SYSTEM,
      expectedVersion: i + 1,
      events: [event],
      meta: { actor: 'user:admin', requestId: `req-${i}` },
    }),
  );
}

const views = (db: SqliteDatabase) => db.prepare('SELECT odata_id, body, position FROM views ORDER BY odata_id').all();
const storedRows = (db: SqliteDatabase) =>
  db.prepare('SELECT type, data, meta FROM events ORDER BY position').all() as {
    type: string;
    data: string;
    meta: string;
  }[];

/** An old build's log: its payloads, no schemaVersion, written by a store that knew no upcasters and no projectors of today. */
function oldLog(): EventStore {
  const store = openStore(join(tempDir(), 'old.db'), { upcasters: new Upcasters([]) });
  write(store, oldPayloads);
  return store;
}

/** This build's log, with today's projectors inline. */
function newLog(): EventStore {
  const store = openStore(join(tempDir(), 'new.db'), { upcasters, projectors });
  write(store, newPayloads);
  return store;
}

describe('Upcasters', () => {
  it('knows each type’s current version from its chain, and refuses a chain with a gap or a step twice', () => {
    expect(upcasters.currentVersion('BootOverrideChanged')).toBe(3);
    expect(upcasters.currentVersion('IndicatorChanged')).toBe(2);
    expect(upcasters.currentVersion('SystemRegistered')).toBe(1);
    expect(EVENT_UPCASTERS.currentVersion('BootOverrideChanged')).toBe(1);
    const step = (fromVersion: number): Upcaster => ({ type: 'X', fromVersion, upcast: (d) => d });
    expect(() => new Upcasters([step(2)])).toThrow('X has upcasters up to version 3 but none from version 1');
    expect(() => new Upcasters([step(1), step(1)])).toThrow('two upcasters of X read version 1');
    expect(() => new Upcasters([step(0)])).toThrow('fromVersion must be a whole number from 1');
  });

  it('upcasts through every step from the stored version, and stamps new events with the current one', () => {
    const event = (data: unknown, schemaVersion?: number): RecordedEvent => ({
      position: 1,
      streamId: SYSTEM,
      streamVersion: 1,
      subject: SYSTEM,
      type: 'BootOverrideChanged',
      data,
      meta: schemaVersion === undefined ? {} : { schemaVersion },
      recordedAt: '2026-11-25T10:00:00.000Z',
    });
    expect(upcasters.upcast(event({ device: 'Cd', once: true }))).toMatchObject({
      data: { target: 'Cd', enabled: 'Once' },
      meta: { schemaVersion: 3 },
    });
    expect(upcasters.upcast(event({ target: 'Cd', once: false }, 2)).data).toEqual({
      target: 'Cd',
      enabled: 'Continuous',
    });
    const current = event({ target: 'Cd', enabled: 'Once' }, 3);
    expect(upcasters.upcast(current)).toBe(current);
    expect(() => upcasters.upcast(event({}, 4))).toThrow(NewerEventError);
    expect(upcasters.stamp('BootOverrideChanged', { actor: 'a' })).toEqual({ actor: 'a', schemaVersion: 3 });
    expect(upcasters.stamp('SystemRegistered', { actor: 'a' })).toEqual({ actor: 'a' });
    expect(upcasters.stamp('BootOverrideChanged', { schemaVersion: 1 })).toEqual({ schemaVersion: 1 });
  });
});

describe('An old log, read by a build whose payloads changed', () => {
  it('is stored as written: old payloads, no schemaVersion; the new log names its versions', () => {
    const old = oldLog();
    expect(storedRows(old.db).map((r) => JSON.parse(r.data))[2]).toEqual({ lit: true });
    expect(storedRows(old.db).every((r) => JSON.parse(r.meta).schemaVersion === undefined)).toBe(true);
    const fresh = newLog();
    expect(storedRows(fresh.db).map((r) => JSON.parse(r.meta).schemaVersion)).toEqual([
      undefined,
      undefined,
      2,
      3,
      2,
      2,
      3,
    ]);
  });

  it('rebuilds to the same views, byte for byte, as a log written with the new payloads', () => {
    const fresh = newLog();
    const live = views(fresh.db);
    expect(live.length).toBeGreaterThan(10);
    const old = oldLog();
    rebuildViews(old.db, projectors, upcasters);
    expect(views(old.db)).toEqual(live);
    // And the new log rebuilds to what its inline projections wrote.
    rebuildViews(fresh.db, projectors, upcasters);
    expect(views(fresh.db)).toEqual(live);
  });

  it('feeds deciders, readers and history the current payloads: readStream, readAfter, loadState, queryHistory', () => {
    const old = new EventStore(oldLog().db, { upcasters });
    const fresh = newLog();
    const strip = (events: readonly RecordedEvent[]) => events.map(({ type, data, meta }) => ({ type, data, meta }));
    expect(strip(old.readStream(SYSTEM))).toEqual(strip(fresh.readStream(SYSTEM)));
    expect(strip(old.readAfter(0))).toEqual(strip(fresh.readAfter(0)));
    expect(strip(queryHistory(old.db, { resource: SYSTEM }, upcasters))).toEqual(
      strip(queryHistory(fresh.db, { resource: SYSTEM }, upcasters)),
    );
    expect(loadState(old, SYSTEM, systemDecider)).toEqual(loadState(fresh, SYSTEM, systemDecider));
    expect(old.readStream(SYSTEM, 2)[0]).toMatchObject({
      type: 'BootOverrideChanged',
      data: { target: 'Pxe', enabled: 'Once' },
      meta: { schemaVersion: 3, requestId: 'req-1' },
    });
  });

  it('projects an old payload appended on purpose (a schemaVersion given) as the current one', () => {
    const fresh = newLog();
    const before = fresh.views.get(SYSTEM)!.body;
    fresh.append({
      streamId: SYSTEM,
      expectedVersion: 'any',
      events: [{ type: 'IndicatorChanged', data: { lit: true }, meta: { schemaVersion: 1 } }],
    });
    expect(JSON.parse(fresh.views.get(SYSTEM)!.body)).toMatchObject({
      IndicatorLED: 'Lit',
      LocationIndicatorActive: true,
    });
    expect(fresh.views.get(SYSTEM)!.body).not.toBe(before);
  });

  it('exports as stored, and imports into a new store projected to the same views', async () => {
    const old = oldLog();
    const file = join(tempDir(), 'old.ndjson');
    await exportLog(old.db, file);
    expect(readFileSync(file, 'utf8')).toContain('"data":{"lit":true}');
    const target = openDatabase(join(tempDir(), 'imported.db'));
    migrate(target);
    await importLog(target, file, viewsOfImportedLog(target, projectors), {}, upcasters);
    expect(storedRows(target)).toEqual(storedRows(old.db));
    expect(views(target)).toEqual(views(newLog().db));
  });

  it('refuses, naming the event, a payload version newer than the build knows, and an import of one', async () => {
    const fresh = newLog();
    const file = join(tempDir(), 'new.ndjson');
    await exportLog(fresh.db, file);
    const older = new Upcasters(history.filter((u) => u.type !== 'BootOverrideChanged' || u.fromVersion === 1));
    expect(() => new EventStore(fresh.db, { upcasters: older }).readStream(SYSTEM)).toThrow(
      /event \d+ \(BootOverrideChanged\) has payload version 3, newer than this build's 2/,
    );
    const target = openDatabase(join(tempDir(), 'refused.db'));
    migrate(target);
    await expect(importLog(target, file, viewsOfImportedLog(target, projectors), {}, older)).rejects.toThrow(
      LogFileError,
    );
    expect(target.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 0 });
  });
});
