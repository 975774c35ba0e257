import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CliCommand } from './command.js';
import { parseWithOneArgument } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { progressDisplay, progressOptions, PROGRESS_OPTIONS_HELP } from './progress-options.js';
import { runInterruptibly } from './run-interruptibly.js';
import type { EmulatorConfig } from '../config/config.js';
import { openConfiguredStore, storeFile } from '../open-configured-store.js';
import { importLog, type LogHeader } from '../eventstore/log-file.js';
import { projectors } from '../projections/catalog.js';
import { viewsOfImportedLog } from '../views/rebuild.js';
import type { LongWork } from '../progress/long-work.js';
import { countProgress } from '../progress/count-progress.js';

const options = { ...storeOptions, ...progressOptions } as const;

/** Imports into the configured store, which exists and is empty: one transaction, rolled back by any failure or interruption. */
async function importInPlace(config: EmulatorConfig, file: string, work: LongWork): Promise<LogHeader> {
  const { store } = openConfiguredStore(config);
  try {
    return await importLog(store.db, file, viewsOfImportedLog(store.db, projectors), work);
  } finally {
    store.db.close();
  }
}

/**
 * Imports into a store that does not exist yet: into a hidden file beside it, renamed to the
 * store's name once complete, so that whatever stops the import (a refused line, Ctrl-C, a
 * kill -9) leaves no store there, not even an empty one.
 */
async function importIntoNewStore(config: EmulatorConfig, file: string, work: LongWork): Promise<LogHeader> {
  const target = storeFile(config);
  const dataDirExisted = existsSync(dirname(target));
  const partial = join(dirname(target), `.${basename(target)}.${process.pid}.importing`);
  const { store } = openConfiguredStore({
    ...config,
    dataDir: dirname(target),
    database: { ...config.database, file: basename(partial) },
  });
  try {
    const header = await importLog(store.db, file, viewsOfImportedLog(store.db, projectors), work);
    // Closing the last connection folds the WAL into the file, which is then whole on its own.
    store.db.close();
    renameSync(partial, target);
    return header;
  } catch (err) {
    if (store.db.open) store.db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });
    if (!dataDirExisted) rmSync(dirname(target), { recursive: true, force: true });
    throw err;
  }
}

export const importCommand: CliCommand = {
  words: ['import'],
  summary: 'load an exported NDJSON log into a new, empty store',
  help: [
    'Usage: redfish-emulator import FILE [options]',
    '',
    'Checks the whole file (header, schema version, positions, stream versions, count) and',
    'then writes every event and the views projected from them in one transaction. A',
    'truncated or edited file, or one from a newer schema, is refused and nothing is written.',
    'The target store must have no events: use a new --data-dir. Interrupted (Ctrl-C: exit',
    'code 130, SIGTERM: 143) or killed, it leaves the target as it was: a new store appears',
    'only once complete.',
    '',
    'Options:',
    PROGRESS_OPTIONS_HELP,
    STORE_OPTIONS_HELP,
  ].join('\n'),
  async run(argv) {
    const { values, argument: file } = parseWithOneArgument(argv, options, 'FILE to import');
    const config = configFromOptions(values);
    const display = progressDisplay(values);
    const into = existsSync(storeFile(config)) ? importInPlace : importIntoNewStore;
    return runInterruptibly(
      display,
      {
        stopped: 'the target store is as it was',
        leftBehind: 'The target store is as it was; a hidden .NAME.PID.importing file may be left beside it.',
      },
      async (signal) => {
        const header = await into(config, file, { signal, onProgress: countProgress(display, 'import') });
        display.clear();
        console.log(`imported ${header.count} events (positions 1 to ${header.toPosition})`);
      },
    );
  },
};
