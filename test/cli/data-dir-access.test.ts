import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsNobody } from '../support/run-cli.js';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

/** A config readable by anyone, whose data directory exists and is root's alone. */
function closedDataDir(): { file: string; dataDir: string } {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  const { file } = testConfig(dir);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  return { file, dataDir };
}

describe.skipIf(process.getuid?.() !== 0)('a data directory this user may not use', () => {
  it('is said to be unreadable by the commands that read a store, not "no event store"', () => {
    const { file, dataDir } = closedDataDir();
    const run = runCliAsNobody(['history', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `redfish-emulator history: cannot read the data directory ${dataDir}: it is not this user's to read; run as its owner, or give this user access to it (chown, chmod)\n`,
    );
  });

  it('stops serve at start, in one line, with nothing written there (EACCES)', () => {
    const { file, dataDir } = closedDataDir();
    const run = runCliAsNobody(['serve', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `redfish-emulator serve: the data directory ${dataDir} is not this user's to read and write; give it to this user (chown, chmod), or point --data-dir (key dataDir) at a directory this user can write\n`,
    );
    expect(existsSync(join(dataDir, 'events.db'))).toBe(false);
  });
});
