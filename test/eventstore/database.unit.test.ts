import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, WAL_KEPT_BYTES } from '../../src/eventstore/database.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

describe('database', () => {
  it('cuts the WAL back once a checkpoint starts it over after a reader held it for long', () => {
    const file = join(tempDir(), 'events.db');
    const db = openDatabase(file);
    const reader = new Database(file, { readonly: true });
    try {
      db.exec('CREATE TABLE filler (bytes BLOB NOT NULL)');
      const insert = db.prepare('INSERT INTO filler (bytes) VALUES (?)');
      // A read transaction on the table as it is now: no checkpoint may start the WAL over meanwhile.
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM filler').get();
      const megabyte = Buffer.alloc(1024 * 1024, 7);
      for (let i = 0; i < 96; i += 1) insert.run(megabyte);
      const grown = statSync(`${file}-wal`).size;
      expect(grown).toBeGreaterThan(WAL_KEPT_BYTES);
      reader.exec('COMMIT');
      db.pragma('wal_checkpoint(PASSIVE)');
      // The next write starts the WAL over, and the file is cut back.
      insert.run(megabyte);
      expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(WAL_KEPT_BYTES);
      expect(db.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(97);
    } finally {
      reader.close();
      db.close();
    }
  });
});
