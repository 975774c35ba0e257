import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

/**
 * store_facts: small facts about the store, beside the log and never part of it (reconciler
 * checkpoints, the projection version, kept secrets). The statements are prepared once: the
 * reconcilers save a checkpoint after every event they handle, and preparing the SQL each time
 * cost more than running it.
 */
export class StoreFacts {
  private readonly select: Statement<[string], string>;
  private readonly upsert: Statement<[string, string]>;
  private readonly remove: Statement<[string]>;

  constructor(db: SqliteDatabase) {
    this.select = db.prepare<[string], string>('SELECT value FROM store_facts WHERE key = ?').pluck();
    this.upsert = db.prepare<[string, string]>(
      'INSERT INTO store_facts (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.remove = db.prepare<[string]>('DELETE FROM store_facts WHERE key = ?');
  }

  get(key: string): string | undefined {
    return this.select.get(key);
  }

  put(key: string, value: string): void {
    this.upsert.run(key, value);
  }

  delete(key: string): void {
    this.remove.run(key);
  }
}
