import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';

const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const tempDir = useTempDirs();
const NOBODY = 65534;

/** The built CLI run as user nobody, for whom a root-owned directory of mode 0700 is closed. */
function runAsNobody(args: readonly string[]) {
  const run = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, cli, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], HOME: '/tmp' },
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

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
    const run = runAsNobody(['history', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`redfish-emulator history: cannot read the data directory ${dataDir}: it is not this user's to read; run as its owner, or give this user access to it (chown, chmod)\n`);
  });

  it('stops serve at start, in one line, with nothing written there (EACCES)', () => {
    const { file, dataDir } = closedDataDir();
    const run = runAsNobody(['serve', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `redfish-emulator serve: the data directory ${dataDir} is not this user's to read and write; give it to this user (chown, chmod), or point --data-dir (key dataDir) at a directory this user can write\n`,
    );
    expect(existsSync(join(dataDir, 'events.db'))).toBe(false);
  });
});
