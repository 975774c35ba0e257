import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseUnusableError, openDatabase } from '../../src/eventstore/database.js';
import { loadMigrations, migrate, schemaVersion } from '../../src/eventstore/migrations.js';
import { openEventStore } from '../../src/views/open-store.js';
import type { Projector } from '../../src/eventstore/projector.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

describe('migrations', () => {
  it('applies every numbered file once, in order, and records each', () => {
    const db = openDatabase(join(tempDir(), 'events.db'));
    const newest = loadMigrations().length;
    expect(migrate(db)).toBe(newest);
    expect(migrate(db)).toBe(newest);
    const recorded = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
      version: number;
    }[];
    expect(recorded.map((r) => r.version)).toEqual(Array.from({ length: newest }, (_, i) => i + 1));
    expect(schemaVersion(db)).toBe(newest);
  });

  it('refuses a database written by a newer schema, naming both versions, and changes nothing', () => {
    const file = join(tempDir(), 'events.db');
    const db = openDatabase(file);
    migrate(db);
    const future = loadMigrations().length + 3;
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from-the-future', 'x')").run(
      future,
    );
    db.close();

    const again = openDatabase(file);
    expect(() => migrate(again)).toThrow(DatabaseUnusableError);
    expect(() => migrate(again)).toThrow(new RegExp(`schema version ${future}.*newer`));
    expect(schemaVersion(again)).toBe(future);
  });

  it('applies a migration atomically: a failing one leaves the schema as it was', () => {
    const db = openDatabase(join(tempDir(), 'events.db'));
    const good = loadMigrations();
    const broken = [
      ...good,
      { version: good.length + 1, name: 'broken', sql: 'CREATE TABLE half (x); THIS IS NOT SQL;' },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(schemaVersion(db)).toBe(good.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
  });

  it('refuses a file that is not a database and never overwrites it', () => {
    const file = join(tempDir(), 'events.db');
    const garbage = Buffer.from('this is not a database, but somebody cares about it\n'.repeat(200));
    writeFileSync(file, garbage);
    expect(() => openDatabase(file)).toThrow(/not an SQLite database.*left untouched/);
    expect(() => openEventStore({ file, projectors: [], projectionVersion: 1 })).toThrow(DatabaseUnusableError);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it('refuses a damaged database with a clear message and leaves it as it was', () => {
    const file = join(tempDir(), 'events.db');
    const db = openDatabase(file);
    migrate(db);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(file);
    // Keep the header, scribble over the schema page.
    const damaged = Buffer.concat([bytes.subarray(0, 100), Buffer.alloc(bytes.length - 100, 0xa5)]);
    writeFileSync(file, damaged);
    expect(() => openDatabase(file)).toThrow(/cannot use database .*left untouched/);
    expect(readFileSync(file).equals(damaged)).toBe(true);
  });
});

describe('openEventStore', () => {
  const version = (tag: string): Projector => ({
    name: 'tagged',
    apply(event, views) {
      views.put({ '@odata.id': `/tagged/${event.position}`, Tag: tag }, event.position);
    },
  });

  it('keeps the views at start-up when the projection version is unchanged, rebuilds them when it changed', () => {
    const file = join(tempDir(), 'events.db');
    const first = openEventStore({ file, projectors: [version('v1')], projectionVersion: 1 });
    expect(first.rebuilt).toBeUndefined();
    first.store.append({ streamId: '/s', expectedVersion: 0, events: [{ type: 'X', data: {} }] });
    first.store.db.close();

    const same = openEventStore({ file, projectors: [version('v1-changed-but-not-bumped')], projectionVersion: 1 });
    expect(same.rebuilt).toBeUndefined();
    expect(JSON.parse(same.store.views.get('/tagged/1')!.body).Tag).toBe('v1');
    same.store.db.close();

    const bumped = openEventStore({ file, projectors: [version('v2')], projectionVersion: 2 });
    expect(bumped.rebuilt).toEqual({ events: 1, views: 1 });
    expect(JSON.parse(bumped.store.views.get('/tagged/1')!.body).Tag).toBe('v2');
  });
});
