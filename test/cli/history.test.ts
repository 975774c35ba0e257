import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEventStore } from '../../src/views/open-store.js';
import { PROJECTION_VERSION, projectors } from '../../src/projections/catalog.js';
import { EMULATOR_VERSION } from '../../src/version.js';
import { commands } from '../../src/cli/commands.js';
import { startEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { runCli } from '../support/run-cli.js';

/*
 * `redfish-emulator history` as an operator uses it on a lab's log, run as a process: into a
 * pipe that closes early, newest first, cut at a limit, with ages, URLs and mistyped types.
 */

const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rfe-test-history-cli-'));
const dataDir = join(dir, 'data');
const SYSTEM = '/redfish/v1/Systems/node-1';
/** Positions 1-3: power changes of node-1 3 hours, 90 minutes and 5 minutes ago; then MANY light changes of node-2 just now. */
const MANY = 3000;
const HOUR = 3_600_000;

beforeAll(() => {
  const now = Date.now();
  const times = [now - 3 * HOUR, now - 1.5 * HOUR, now - 5 * 60_000];
  const clock = () => new Date(times.shift() ?? now);
  const { store } = openEventStore({
    file: join(dataDir, 'events.db'),
    projectors,
    projectionVersion: PROJECTION_VERSION,
    clock,
  });
  for (let i = 0; i < 3; i++) {
    store.append({
      streamId: SYSTEM,
      expectedVersion: i,
      events: [{ type: 'PowerStateObserved', data: { state: i % 2 ? 'Off' : 'On' } }],
      meta: { actor: 'libvirt-observer' },
    });
  }
  store.append({
    streamId: '/redfish/v1/Systems/node-2',
    expectedVersion: 0,
    events: Array.from({ length: MANY }, (_, i) => ({
      type: 'IndicatorChanged',
      data: { led: i % 2 ? 'Off' : 'Lit' },
    })),
    meta: { actor: 'user:admin', requestId: 'req-1' },
  });
  store.db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const history = (...args: string[]) => runCli(['history', '--data-dir', dataDir, ...args]);
const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('redfish-emulator history', () => {
  it('ends quietly when the reader of its output goes away (| head -1), as every command does', () => {
    for (const args of [['history', '--json'], ['history', '--limit', '5000'], ['export']]) {
      const run = spawnSync(
        'bash',
        ['-o', 'pipefail', '-c', `"${process.execPath}" "${cli}" ${args.join(' ')} --data-dir "${dataDir}" | head -1`],
        { encoding: 'utf8' },
      );
      expect(run.stderr, args.join(' ')).toBe('');
      expect(run.status, args.join(' ')).toBe(0);
      expect(run.stdout.split('\n')).toHaveLength(2);
    }
  });

  it('prints its version with --version, as the program and every command do', () => {
    for (const words of [[], ...commands.map((c) => [...c.words])]) {
      const run = runCli([...words, '--version']);
      expect(run.code, words.join(' ')).toBe(0);
      expect(run.stdout).toBe(`redfish-emulator ${EMULATOR_VERSION}\n`);
    }
  });

  it('lists the N newest events newest first with --tail N, and says how to see the older ones', () => {
    const run = history('--tail', '3');
    expect(run.code).toBe(0);
    const positions = run.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(' ')[0]));
    expect(positions).toEqual([MANY + 3, MANY + 2, MANY + 1]);
    expect(run.stderr).toBe(`(${MANY} more older events match: add --until-position ${MANY} to see them)\n`);
    const older = history('--tail', '3', '--until-position', String(MANY), '--json');
    expect(
      jsonLines(older.stdout)
        .slice(0, 3)
        .map((e) => e['position']),
    ).toEqual([MANY, MANY - 1, MANY - 2]);
  });

  it('says how many more events match when the listing stops at its limit: a hint on standard error, a last line with --json', () => {
    const table = history('--limit', '10');
    expect(table.stdout.trim().split('\n')).toHaveLength(11);
    expect(table.stderr).toBe(`(${MANY + 3 - 10} more events match: add --after 10 to see them)\n`);
    const json = jsonLines(history('--limit', '10', '--json').stdout);
    expect(json).toHaveLength(11);
    expect(json[10]).toEqual({ more: MANY + 3 - 10, next: ['--after', '10'] });
    expect(json.slice(0, 10).every((e) => typeof e['position'] === 'number')).toBe(true);
    // The default limit cuts too; a listing that holds everything says nothing more.
    expect(history().stderr).toBe(`(${MANY + 3 - 1000} more events match: add --after 1000 to see them)\n`);
    const whole = history('--stream', SYSTEM, '--json');
    expect(whole.stderr).toBe('');
    expect(jsonLines(whole.stdout)).toHaveLength(3);
  });

  it('takes ages for --since and --until (10m, 2h) as well as times', () => {
    const positions = (...args: string[]) =>
      jsonLines(history('--stream', SYSTEM, '--json', ...args).stdout).map((e) => e['position']);
    expect(positions('--since', '10m')).toEqual([3]);
    expect(positions('--since', '2h')).toEqual([2, 3]);
    expect(positions('--until', '1h')).toEqual([1, 2]);
    expect(positions('--since', new Date(Date.now() - 2 * HOUR).toISOString())).toEqual([2, 3]);
    const bad = history('--since', '10 minutes');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "--since takes a date or time such as 2026-11-25T10:00:00Z, or an age such as 10m or 2h, got '10 minutes'",
    );
  });

  it('takes a resource by its full URL', () => {
    const run = history('--resource', `https://bmc.example:8000${SYSTEM}`, '--json');
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout).map((e) => e['position'])).toEqual([1, 2, 3]);
    expect(history('--resource', 'Systems/node-1').code).toBe(2);
  });

  it('refuses a type nothing records with exit 2, naming the types it may have meant', () => {
    const typo = history('--type', 'PowerStateObserve');
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toContain("--type 'PowerStateObserve' is no event type; did you mean PowerStateObserved?");
    const partial = history('--type', 'VolumeOperation');
    expect(partial.stderr).toContain(
      'did you mean VolumeOperationCancelled, VolumeOperationCompleted, VolumeOperationFailed?',
    );
    const nothingLike = history('--type', 'Xyzzy');
    expect(nothingLike.code).toBe(2);
    expect(nothingLike.stderr).toMatch(/the event types are (\w+, )+VolumeRenamed\n/);
    expect(nothingLike.stderr).toContain('BiosReset, BiosSettingsApplied, BiosSettingsRequested');
    // A type of this build that this log has not recorded yet is no mistake.
    expect(history('--type', 'ResetFailed')).toMatchObject({ code: 0, stdout: '(no events match)\n' });
  });

  it('shows an event in --json exactly as the History API does', async () => {
    const apiDir = mkdtempSync(join(dir, 'api-'));
    const emulator = await startEmulator(testConfig(apiDir).config);
    let api: unknown[];
    try {
      emulator.store.append({
        streamId: SYSTEM,
        expectedVersion: 0,
        events: [{ type: 'ResetRequested', data: { resetType: 'On' } }],
        meta: { actor: 'user:admin', requestId: 'req-9', correlationId: 'c-1' },
      });
      const response = await fetch(`${emulator.url}/emulator/v1/History`);
      api = ((await response.json()) as { Events: unknown[] }).Events;
    } finally {
      await emulator.close();
    }
    const cliEvents = jsonLines(runCli(['history', '--data-dir', join(apiDir, 'data'), '--json']).stdout);
    expect(api.length).toBeGreaterThan(1);
    expect(cliEvents).toEqual(api);
  });
});
