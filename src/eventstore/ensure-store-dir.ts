import { accessSync, constants, mkdirSync } from 'node:fs';
import { ExplainedError } from '../explained-error.js';

/**
 * Makes the directory the store lives in (when missing) and checks it can be written, or says in
 * one line what is in the way and what to do: the system's own error names only the call.
 */
export function ensureStoreDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    const fix = 'point --data-dir (key dataDir) at a directory this user can write';
    switch ((err as NodeJS.ErrnoException).code) {
      case 'EEXIST':
      case 'ENOTDIR':
        throw new ExplainedError(
          `the data directory ${dir} cannot be made: a file is in its place (or in the place of one of the directories above it); move the file away, or ${fix}`,
        );
      case 'EACCES':
      case 'EPERM':
        throw new ExplainedError(
          `the data directory ${dir} is not this user's to read and write; give it to this user (chown, chmod), or ${fix}`,
        );
      case 'EROFS':
        throw new ExplainedError(`the data directory ${dir} is on a read-only file system; ${fix}`);
      default:
        throw err;
    }
  }
}
