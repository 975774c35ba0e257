import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { PROJECTION_VERSION, projectors } from '../../src/projections/catalog.js';
import type { HistoryEntry } from '../../src/eventstore/history-entry.js';
import { runCli } from '../support/run-cli.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

/** A data directory holding a small, known history. */
function dataDirWithHistory(): string {
  const dataDir = tempDir();
  let second = 0;
  const clock = () => new Date(Date.UTC(2026, 10, 25, 10, 0, (second += 1)));
  const { store } = openEventStore({
    file: join(dataDir, 'events.db'),
    projectors,
    projectionVersion: PROJECTION_VERSION,
    clock,
  });
  store.append({
    streamId: '/redfish/v1',
    expectedVersion: 0,
    events: [
      {
        type: 'ServiceCreated',
        data: { uuid: '6c1a8f3e-1111-4222-8333-944455556666', name: 'BMC', product: 'p', redfishVersion: '1.20.0' },
      },
    ],
    meta: { actor: 'emulator' },
  });
  store.append({
    streamId: '/redfish/v1/Systems/a',
    expectedVersion: 0,
    events: [{ type: 'PowerStateObserved', data: { state: 'On' } }],
    meta: { actor: 'libvirt-observer' },
  });
  store.append({
    streamId: '/redfish/v1/Systems/a/Storage/1',
    expectedVersion: 0,
    events: [
      { type: 'VolumeCreationRequested', data: { volume: '1' }, subject: '/redfish/v1/Systems/a/Storage/1/Volumes/1' },
    ],
    meta: { actor: 'user:admin' },
  });
  store.append({
    streamId: '/redfish/v1/Systems/ab',
    expectedVersion: 0,
    events: [{ type: 'PowerStateObserved', data: { state: 'Off' } }],
    meta: { actor: 'libvirt-observer' },
  });
  store.db.close();
  return dataDir;
}

/** The events of `history --json`, without the last line that says how many more match. */
function jsonLines(stdout: string): HistoryEntry[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HistoryEntry)
    .filter((entry) => entry.position !== undefined);
}

describe('redfish-emulator CLI on the store', () => {
  it('lists every command with --help, and --help on each', () => {
    const overview = runCli(['--help']);
    expect(overview.code).toBe(0);
    for (const command of ['history', 'rebuild', 'export', 'import']) {
      expect(overview.stdout).toContain(command);
      const help = runCli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: redfish-emulator ${command}`));
    }
  });

  it('history filters by resource (with children), stream, type, actor, time and position', () => {
    const dataDir = dataDirWithHistory();
    const positions = (...args: string[]) => {
      const run = runCli(['history', '--data-dir', dataDir, '--json', ...args]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return jsonLines(run.stdout).map((e) => e.position);
    };
    expect(positions()).toEqual([1, 2, 3, 4]);
    expect(positions('--resource', '/redfish/v1/Systems/a')).toEqual([2, 3]);
    expect(positions('--resource', '/redfish/v1/Systems/a/Storage/1/Volumes/1')).toEqual([3]);
    expect(positions('--stream', '/redfish/v1/Systems/ab')).toEqual([4]);
    expect(positions('--type', 'PowerStateObserved')).toEqual([2, 4]);
    expect(positions('--type', 'ServiceCreated', '--type', 'VolumeCreationRequested')).toEqual([1, 3]);
    expect(positions('--actor', 'user:admin')).toEqual([3]);
    expect(positions('--since', '2026-11-25T10:00:02Z', '--until', '2026-11-25T10:00:03Z')).toEqual([2, 3]);
    expect(positions('--after', '1', '--limit', '2')).toEqual([2, 3]);
    expect(positions('--until-position', '2')).toEqual([1, 2]);
  });

  it('history prints a table by default', () => {
    const run = runCli(['history', '--data-dir', dataDirWithHistory(), '--resource', '/redfish/v1/Systems/ab']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^POSITION\s+RECORDED AT\s+ACTOR\s+TYPE\s+SUBJECT\s+DATA$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^4\s+2026-11-25T10:00:04.000Z\s+libvirt-observer\s+PowerStateObserved\s+\/redfish\/v1\/Systems\/ab\s+\{"state":"Off"\}$/,
    );
  });

  it('export then import into a new data directory gives the same log and the same views', () => {
    const source = dataDirWithHistory();
    const file = join(tempDir(), 'log.ndjson');
    const exported = runCli(['export', '--data-dir', source, '--output', file]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain('exported 4 events');
    const target = tempDir();
    const imported = runCli(['import', file, '--data-dir', target]);
    expect(imported.stdout).toContain('imported 4 events');
    expect(imported.code).toBe(0);

    const again = runCli(['export', '--data-dir', target]);
    const strip = (text: string) => text.split('\n').slice(1).join('\n');
    expect(strip(again.stdout)).toBe(strip(readFileSync(file, 'utf8')));
    const rebuilt = runCli(['rebuild', '--data-dir', target]);
    const views = new Database(join(source, 'events.db'), { readonly: true })
      .prepare('SELECT count(*) AS n FROM views')
      .get() as { n: number };
    expect(views.n).toBeGreaterThan(1);
    expect(rebuilt.stdout).toMatch(new RegExp(`^rebuilt ${views.n} views from 4 events`));
  });

  it('refuses a truncated log with a clear message, exit 1, and writes nothing', () => {
    const file = join(tempDir(), 'log.ndjson');
    runCli(['export', '--data-dir', dataDirWithHistory(), '--output', file]);
    writeFileSync(file, readFileSync(file, 'utf8').split('\n').slice(0, 3).join('\n'));
    const target = tempDir();
    const run = runCli(['import', file, '--data-dir', target]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^redfish-emulator import: the header announces 4 events .* truncated or edited\n$/);
    expect(runCli(['history', '--data-dir', target, '--json']).stdout).toBe('');
  });

  it('answers a mistaken call with exit 2 and a pointer to --help', () => {
    const unknownFlag = runCli(['history', '--frobnicate']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("See 'redfish-emulator history --help'");
    const badNumber = runCli(['history', '--limit', 'ten']);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain("--limit takes a whole number, got 'ten'");
    const unknownCommand = runCli(['frobnicate']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("unknown command 'frobnicate'");
  });

  it('says so when the data directory holds no store, instead of creating one', () => {
    const empty = tempDir();
    for (const command of [['history'], ['export'], ['rebuild']]) {
      const run = runCli([...command, '--data-dir', empty]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`there is no event store at ${empty}/events.db`);
    }
    expect(readdirSync(empty)).toEqual([]);
  });

  it('reports a bad configuration without a stack trace, with exit status 2', () => {
    const config = join(tempDir(), 'bad.json');
    writeFileSync(config, JSON.stringify({ listen: { port: 'eighty' } }));
    const run = runCli(['history', '--config', config, '--data-dir', dataDirWithHistory()]);
    // A configuration error: exit status 2, as for a usage error.
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('listen.port: must be integer');
    expect(run.stderr).not.toMatch(/\s+at /);
  });
});
