import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ExplainedError } from './explained-error.js';
import type { EmulatorConfig } from './config/config.js';
import { openEventStore, type OpenedStore } from './views/open-store.js';
import { PROJECTION_VERSION, projectors } from './projections/catalog.js';

/** Where the configured store lives on disk. */
export function storeFile(config: EmulatorConfig): string {
  return resolve(join(config.dataDir, config.database.file));
}

function isDeniedDir(dir: string): boolean {
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EACCES' || (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The configured store with the live projectors: what serve and the CLI commands work on.
 * Commands that only read or rework an existing log pass `mustExist`, so a mistyped
 * --data-dir is reported instead of quietly creating an empty store there.
 */
export function openConfiguredStore(config: EmulatorConfig, options: { mustExist?: boolean } = {}): OpenedStore {
  const file = storeFile(config);
  if (options.mustExist && !existsSync(file)) {
    // A store in a directory this user may not read looks missing: say which it is.
    if (isDeniedDir(dirname(file))) {
      throw new ExplainedError(
        `cannot read the data directory ${dirname(file)}: it is not this user's to read; run as its owner, or give this user access to it (chown, chmod)`,
      );
    }
    throw new ExplainedError(
      `there is no event store at ${file}; start the emulator there once, or point --data-dir at an existing one`,
    );
  }
  return openEventStore({
    file,
    projectors,
    projectionVersion: PROJECTION_VERSION,
    durability: config.database.durability,
  });
}
