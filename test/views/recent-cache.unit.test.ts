import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../src/eventstore/database.js';
import { migrate } from '../../src/eventstore/migrations.js';
import { RecentCache } from '../../src/views/recent-cache.js';
import { SqliteViews } from '../../src/views/sqlite-views.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

describe('RecentCache', () => {
  it('keeps what was used since the last turn and drops the rest, at most two generations', () => {
    let turns = 0;
    const cache = new RecentCache<string, number | null>(6, () => (turns += 1));
    cache.set('kept', 0);
    cache.set('absent', null);
    for (let i = 0; i < 30; i++) {
      cache.set(`other-${i}`, i);
      // Used again before six other entries went in: never in the half dropped.
      if (i % 3 === 0) {
        expect(cache.get('kept')).toBe(0);
        expect(cache.get('absent')).toBeNull();
      }
      expect(cache.size).toBeLessThanOrEqual(12);
    }
    expect(turns).toBeGreaterThanOrEqual(6);
    expect(cache.get('kept')).toBe(0);
    expect(cache.get('absent')).toBeNull();
    expect(cache.get('other-0')).toBeUndefined();
    expect(cache.get('other-29')).toBe(29);
  });

  it('serves the value set last for a key that is also in the old generation', () => {
    const cache = new RecentCache<string, string>(2);
    cache.set('a', 'first');
    cache.set('b', 'b');
    // A turn: 'a' and 'b' are old now.
    cache.set('a', 'second');
    cache.set('c', 'c');
    cache.set('d', 'd');
    expect(cache.get('a')).toBe('second');
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });
});

describe('SqliteViews cache', () => {
  it('keeps serving a view read again and again while many others pass through the cache', () => {
    const file = join(tempDir(), 'events.db');
    const db = openDatabase(file);
    migrate(db);
    const insert = db.prepare('INSERT INTO views (odata_id, body, position) VALUES (?, ?, ?)');
    for (let i = 0; i < 50; i++) insert.run(`/v/${i}`, JSON.stringify({ n: i }), 1);
    insert.run('/hot', '{"n":"as read"}', 1);
    // A clock that stands still: writes by another connection are never looked for, so a view
    // the cache keeps is served as first read, and one read from the table again shows the change.
    const views = new SqliteViews(db, () => 0, 16);
    expect(views.get('/hot')?.body).toBe('{"n":"as read"}');
    const other = openDatabase(file);
    other.prepare('UPDATE views SET body = \'{"n":"changed"}\' WHERE odata_id = \'/hot\'').run();
    other.close();
    for (let i = 0; i < 50; i++) {
      expect(views.get(`/v/${i}`)?.body).toBe(JSON.stringify({ n: i }));
      if (i % 3 === 0) expect(views.get('/hot')?.body).toBe('{"n":"as read"}');
    }
    // One that was not read again has left the cache: read from the table.
    db.prepare("UPDATE views SET body = '{\"n\":-1}' WHERE odata_id = '/v/0'").run();
    expect(views.get('/v/0')?.body).toBe('{"n":-1}');
    db.close();
  });
});
