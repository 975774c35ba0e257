import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

/**
 * Whether another connection (the CLI, a second process) committed to the database since the
 * last look. SQLite's data_version changes on every commit by another connection and never on
 * this connection's own, so what this process remembers of the tables stays true until it moves.
 */
export class OtherWriters {
  private readonly dataVersion: Statement<[], number>;
  private seen: number;

  constructor(db: SqliteDatabase) {
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.seen = this.dataVersion.get()!;
  }

  /** True once for each batch of commits by other connections since the previous call. */
  committed(): boolean {
    const version = this.dataVersion.get()!;
    if (version === this.seen) return false;
    this.seen = version;
    return true;
  }
}
