import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase, type Durability } from '../eventstore/database.js';
import { EventStore } from '../eventstore/event-store.js';
import { migrate } from '../eventstore/migrations.js';
import type { Projector } from '../eventstore/projector.js';
import { rebuildViews, type RebuildResult } from './rebuild.js';
import { SqliteViews } from './sqlite-views.js';
import type { Upcasters } from '../eventstore/upcasters.js';
import { StoreFacts } from '../eventstore/store-facts.js';

/** The store fact naming the projection version the views were built by. */
const PROJECTION_VERSION_FACT = 'projection_version';

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
    const facts = new StoreFacts(db);
    const recorded = facts.get(PROJECTION_VERSION_FACT);
    if (recorded === String(options.projectionVersion)) return { store };
    const rebuilt =
      recorded !== undefined || store.lastPosition() > 0
        ? rebuildViews(db, options.projectors, store.upcasters)
        : undefined;
    facts.put(PROJECTION_VERSION_FACT, String(options.projectionVersion));
    return rebuilt ? { store, rebuilt } : { store };
  } catch (err) {
    db.close();
    throw err;
  }
}
