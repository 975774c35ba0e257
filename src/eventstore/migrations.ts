import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqliteDatabase } from './database.js';
import { DatabaseUnusableError } from './database.js';
import { projectRoot } from '../project-root.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATION_FILE = /^(\d+)_([\w-]+)\.sql$/;

/** The numbered .sql files of a folder (default: the project's migrations/), in order. */
export function loadMigrations(dir = join(projectRoot(), 'migrations')): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => ({ file, match: MIGRATION_FILE.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({
      version: Number(match[1]),
      name: match[2]!,
      sql: readFileSync(join(dir, file), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations must be numbered 1, 2, 3…: found ${m.version} at place ${i + 1}`);
  });
  return migrations;
}

/** The newest schema version this build knows: that of its last migration. */
export function newestSchemaVersion(migrations: readonly Migration[] = loadMigrations()): number {
  return migrations.length;
}

/** The highest schema version recorded in the database, 0 for a new one. */
export function schemaVersion(db: SqliteDatabase): number {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return 0;
  const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * Brings the database to the newest schema this build knows, each migration in its own
 * transaction and recorded in schema_migrations. A database written by a newer build is refused:
 * this build cannot know what the newer schema means.
 */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[] = loadMigrations()): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const current = schemaVersion(db);
  const newest = newestSchemaVersion(migrations);
  if (current > newest) {
    throw new DatabaseUnusableError(
      `database ${db.name} has schema version ${current}, written by a newer redfish-emulator; ` +
        `this build knows schema versions up to ${newest}. Upgrade redfish-emulator, or use another data directory.`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }).immediate();
  }
  return newest;
}
