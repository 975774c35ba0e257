import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase, type Durability } from '../eventstore/database.js';
import { EventStore } from '../eventstore/event-store.js';
import { migrate } from '../eventstore/migrations.js';
import type { Projector } from '../eventstore/projector.js';
import { rebuildViews, type RebuildResult } from './rebuild.js';
import { SqliteViews } from './sqlite-views.js';
import type { Upcasters } from '../eventstore/upcasters.js';

export interface OpenStoreOptions {
  readonly file: string;
  readonly projectors: readonly Projector[];
  /** Identifies what the projectors produce; views built by another version are rebuilt. */
  readonly projectionVersion: number;
  readonly durability?: Durability;
  readonly clock?: () => Date;
  /** How older event payloads are read (default: this build's upcasters). */
  readonly upcasters?: Upcasters;
}

export interface OpenedStore {
  readonly store: EventStore;
  /** Set when the views were rebuilt because they came from another projection version. */
  readonly rebuilt?: RebuildResult;
}

/**
 * Opens the store for serving: file, schema, and views that match these projectors. Start-up
 * never replays the log unless the projection version changed.
 */
export function openEventStore(options: OpenStoreOptions): OpenedStore {
  mkdirSync(dirname(options.file), { recursive: true });
  const db = openDatabase(options.file, options.durability);
  try {
    migrate(db);
    const views = new SqliteViews(db);
    const store = new EventStore(db, {
      projectors: options.projectors,
      views,
      clock: options.clock,
      upcasters: options.upcasters,
    });
    const recorded = db.prepare("SELECT value FROM store_facts WHERE key = 'projection_version'").get() as
      | { value: string }
      | undefined;
    if (recorded?.value === String(options.projectionVersion)) return { store };
    const rebuilt =
      recorded || store.lastPosition() > 0 ? rebuildViews(db, options.projectors, store.upcasters) : undefined;
    db.prepare(
      "INSERT INTO store_facts (key, value) VALUES ('projection_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(String(options.projectionVersion));
    return rebuilt ? { store, rebuilt } : { store };
  } catch (err) {
    db.close();
    throw err;
  }
}
