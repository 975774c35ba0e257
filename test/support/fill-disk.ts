import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A small filesystem of a test's own (tmpfs, so root), to fill up and free again. */
export interface SmallDisk {
  readonly path: string;
  /** Writes a file until the filesystem has no room left. */
  fill(): void;
  /** Deletes what fill wrote. */
  free(): void;
  unmount(): void;
}

export function mountSmallDisk(dir: string, size = '6m'): SmallDisk {
  const path = join(dir, 'small');
  const filler = join(path, 'filler');
  mkdirSync(path, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path]);
  let mounted = true;
  return {
    path,
    fill: () => fillFile(filler),
    free: () => rmSync(filler, { force: true }),
    unmount() {
      if (mounted) execFileSync('umount', [path]);
      mounted = false;
    },
  };
}

function fillFile(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}
