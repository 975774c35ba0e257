import { join, resolve } from 'node:path';
import type { EmulatorConfig } from './config/config.js';
import { openEventStore, type OpenedStore } from './eventstore/open-store.js';
import { PROJECTION_VERSION, projectors } from './projections/catalog.js';

/** Where the configured store lives on disk. */
export function storeFile(config: EmulatorConfig): string {
  return resolve(join(config.dataDir, config.database.file));
}

/** The configured store with the live projectors: what serve and the CLI commands work on. */
export function openConfiguredStore(config: EmulatorConfig): OpenedStore {
  return openEventStore({
    file: storeFile(config),
    projectors,
    projectionVersion: PROJECTION_VERSION,
    durability: config.database.durability,
  });
}
