import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimStoreOwnership, StoreInUseError } from '../../src/eventstore/store-owner.js';
import { runCli } from '../support/run-cli.js';
import { startEmulatorProcess, stopEmulatorProcess, type EmulatorProcess } from '../support/emulator-process.js';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const running: EmulatorProcess[] = [];
afterEach(async () => {
  for (const emulator of running.splice(0)) await stopEmulatorProcess(emulator, 'SIGKILL');
});

async function serve(configFile: string): Promise<EmulatorProcess> {
  const emulator = await startEmulatorProcess(configFile);
  running.push(emulator);
  return emulator;
}

/** The store's files as bytes: what a refused start must leave exactly as they were. */
function storeBytes(dataDir: string): string[] {
  return ['events.db', 'events.db-wal'].map((name) => {
    try {
      return readFileSync(join(dataDir, name)).toString('base64');
    } catch {
      return '(none)';
    }
  });
}

describe('one emulator per store', () => {
  it('refuses a second serve on a store in use, naming the one that holds it, and writes nothing', async () => {
    const dir = tempDir();
    const { file } = testConfig(dir);
    const first = await serve(file);
    const before = storeBytes(join(dir, 'data'));

    const second = runCli(['serve', '--config', file]);

    expect(second.code).toBe(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^redfish-emulator serve: the store .*events\.db is in use by another emulator: pid \d+ \(.*cli\.js serve --config .*\), serving since .*; stop that one first/,
    );
    expect(lines[0]).toContain(`pid ${first.child.pid} `);
    expect(second.stdout).not.toContain('serving');
    expect(storeBytes(join(dir, 'data'))).toEqual(before);
  });

  it('leaves the CLI beside the server: history and export read, mark appends, rebuild reworks the views, import refuses', async () => {
    const dir = tempDir();
    const { file } = testConfig(dir);
    await serve(file);

    const mark = runCli(['mark', 'beside-the-server', '--config', file]);
    expect(mark.code, mark.stderr).toBe(0);
    const history = runCli(['history', '--type', 'MarkPlaced', '--json', '--config', file]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain('beside-the-server');

    const exported = join(dir, 'log.ndjson');
    expect(runCli(['export', '--output', exported, '--config', file]).code).toBe(0);
    expect(runCli(['rebuild', '--config', file]).code).toBe(0);
    // An import only ever fills an empty store, which a served one is not.
    const imported = runCli(['import', exported, '--config', file]);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toBe(
      'redfish-emulator import: the target store already has events; import into a new data directory\n',
    );
  });

  it('is free again once its owner is killed (kill -9): the next serve starts', async () => {
    const dir = tempDir();
    const { file } = testConfig(dir);
    const first = await serve(file);
    await stopEmulatorProcess(first, 'SIGKILL');

    const next = await serve(file);

    expect(next.output()).toContain('serving');
    expect(await stopEmulatorProcess(next)).toBe(0);
  });

  it('is claimed once within a process too, and free again once released', () => {
    const storeFile = join(tempDir(), 'data', 'events.db');
    const held = claimStoreOwnership(storeFile);
    expect(() => claimStoreOwnership(storeFile)).toThrow(StoreInUseError);
    held.release();
    claimStoreOwnership(storeFile).release();
  });
});
