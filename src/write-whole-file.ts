import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `target` through a temporary file beside it (same directory, so the rename is atomic),
 * renamed to `target` only once `write` has finished: a failure or an interruption removes the
 * temporary file, and even a kill -9 leaves no truncated file under the requested name.
 * '-' is standard output, written as it comes.
 */
export async function writeWholeFile(
  target: string,
  write: (out: (text: string) => void) => Promise<void>,
): Promise<void> {
  if (target === '-') return write((text) => void writeSync(1, text));
  const partial = join(dirname(target), `.${basename(target)}.${process.pid}.partial`);
  let fd: number | undefined = openSync(partial, 'w');
  try {
    const open = fd;
    await write((text) => void writeSync(open, text));
    closeSync(fd);
    fd = undefined;
    renameSync(partial, target);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(partial, { force: true });
    throw err;
  }
}
