import { ExplainedError } from '../explained-error.js';
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

export type SqliteDatabase = Database.Database;

/** How far an acknowledged append is protected: 'process' survives kill -9, 'power' survives power loss too. */
export type Durability = 'process' | 'power';

/** The database file could not be used; the message says why, and the file was left as it was. */
export class DatabaseUnusableError extends ExplainedError {}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Refuses, before SQLite touches it, a non-empty file that is not an SQLite database. */
function checkHeader(file: string): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    readSync(fd, header, 0, header.length, 0);
  } catch (err) {
    throw new DatabaseUnusableError(`cannot read database ${file}: ${(err as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!header.equals(SQLITE_HEADER)) {
    throw new DatabaseUnusableError(
      `${file} is not an SQLite database (its first bytes are not the SQLite header); ` +
        'it was left untouched. Point --data-dir at another directory, or move the file away.',
    );
  }
}

/** What the WAL file is cut back to when a checkpoint starts it over. */
export const WAL_KEPT_BYTES = 64 * 1024 * 1024;

/**
 * Opens (creating when missing) the database file in WAL mode. A commit in WAL mode is in the
 * operating system's hands before it returns, so with synchronous=NORMAL an acknowledged append
 * survives kill -9 of this process; synchronous=FULL adds an fsync per commit for power loss.
 */
export function openDatabase(file: string, durability: Durability = 'process'): SqliteDatabase {
  checkHeader(file);
  let db: SqliteDatabase;
  try {
    db = new Database(file);
  } catch (err) {
    throw new DatabaseUnusableError(`cannot open database ${file}: ${(err as Error).message}`);
  }
  try {
    db.pragma('busy_timeout = 10000');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'power' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    // Checkpoint the WAL every ~40 MB rather than every 4 MB: a page written by many appends is
    // copied into the database once, which is most of the cost of small appends.
    db.pragma('wal_autocheckpoint = 10000');
    // A reader on an old snapshot (a large lab's keyframe copied in the background) keeps the
    // checkpoints from starting the WAL over, and it grows meanwhile: 4.5 GB over a burst of
    // 10,000 resets. Once one does, the file is cut back to this, rather than kept that large.
    db.pragma(`journal_size_limit = ${WAL_KEPT_BYTES}`);
    // Reads the schema: fails here, not later, when the file is damaged.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    db.close();
    throw new DatabaseUnusableError(`cannot use database ${file}: ${(err as Error).message}; it was left untouched`);
  }
  return db;
}
