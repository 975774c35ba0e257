import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExplainedError } from '../explained-error.js';
import { ensureStoreDir } from './ensure-store-dir.js';

/** Another emulator serves this store; the message names it (pid, command line, since when). */
export class StoreInUseError extends ExplainedError {}

/** What the owner writes beside its lock, for the one refused to say who holds the store. */
interface OwnerNote {
  readonly pid: number;
  readonly command: string;
  readonly since: string;
}

/** Held while an emulator serves a store; released by `release`, or by the OS when the process dies. */
export interface StoreOwnership {
  release(): void;
}

export const ownerLockFile = (storeFile: string) => `${storeFile}.lock`;
export const ownerNoteFile = (storeFile: string) => `${storeFile}.owner`;

/**
 * Makes this process the one emulator serving `storeFile`, or refuses with StoreInUseError.
 *
 * The lock is SQLite's own write lock on a small file of its own beside the store, taken with
 * BEGIN IMMEDIATE and held for the life of the server: SQLite holds it with a POSIX advisory
 * lock, which the OS drops when the process ends however it ends (kill -9 included), so a dead
 * owner never leaves the store locked and no pid needs checking for staleness. Node has no flock
 * of its own, and SQLite is already here. The lock is not on the store itself: the store stays
 * open to the CLI beside the server (history, show and export read it; mark and drive fail append
 * to it under SQLite's usual write locking), as it was before there was an owner. Nothing in the
 * lock file is ever written, so no journal is left behind a crash; both files are left in place
 * at the end, as removing a lock file lets a newcomer lock a file that another is about to open.
 */
export function claimStoreOwnership(storeFile: string): StoreOwnership {
  ensureStoreDir(dirname(storeFile));
  const lockFile = ownerLockFile(storeFile);
  let lock: Database.Database;
  try {
    lock = new Database(lockFile);
    // Never wait: an owner holds the lock for as long as it runs.
    lock.pragma('busy_timeout = 0');
  } catch (err) {
    throw new ExplainedError(`cannot open the store's lock file ${lockFile}: ${(err as Error).message}`);
  }
  try {
    lock.exec('BEGIN IMMEDIATE');
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY')
      throw new ExplainedError(`cannot lock ${lockFile}: ${(err as Error).message}`);
    throw new StoreInUseError(
      `the store ${storeFile} is in use by ${describeOwner(storeFile)}; stop that one first, or serve another --data-dir`,
    );
  }
  const note: OwnerNote = { pid: process.pid, command: process.argv.join(' '), since: new Date().toISOString() };
  writeFileSync(ownerNoteFile(storeFile), `${JSON.stringify(note)}\n`);
  return {
    release() {
      if (lock.open) lock.close();
    },
  };
}

/** The owner as its note describes it; the note may be missing for a moment while an owner starts. */
function describeOwner(storeFile: string): string {
  try {
    const note = JSON.parse(readFileSync(ownerNoteFile(storeFile), 'utf8')) as OwnerNote;
    return `another emulator: pid ${note.pid} (${note.command}), serving since ${note.since}`;
  } catch {
    return 'another emulator (starting; it has not said which yet)';
  }
}
