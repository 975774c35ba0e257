import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openEventStore } from '../../src/views/open-store.js';
import { PROJECTION_VERSION, projectors } from '../../src/projections/catalog.js';
import { testConfig } from '../support/config.js';
import { labHistorySystems } from '../support/lab-history.js';
import { writeLabHistoryStore } from '../support/lab-history-store.js';
import { runCli, runCliInTerminal, startCli } from '../support/run-cli.js';

/*
 * The store's long commands (export, import, rebuild, scenario export) run as a user runs them:
 * progress on a terminal and none when piped; Ctrl-C or SIGTERM mid-way leaves no half-written
 * file and no half-filled store, and neither does a kill -9 of an import.
 */

const SYSTEMS = 4;
const dir = mkdtempSync(join(tmpdir(), 'rfe-test-long-work-'));
/** A short log, for seeing progress; a long one, for interrupting work mid-way. */
const small = testConfig(mkdirAt('small'), { lab: { systems: labHistorySystems(SYSTEMS) } });
const large = testConfig(mkdirAt('large'), { lab: { systems: labHistorySystems(SYSTEMS) } });
const smallLog = join(dir, 'small.ndjson');
const largeLog = join(dir, 'large.ndjson');

function mkdirAt(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  return path;
}

/** A progress line as drawn: what, done / total events (share), rate. */
const PROGRESS = /(export|import|rebuild|scenario export)( \([a-z]+\))?: [\d,]+ \/ [\d,]+ events \(\d+%\)/;

beforeAll(() => {
  writeLabHistoryStore(join(small.config.dataDir, 'events.db'), 6_000, SYSTEMS);
  writeLabHistoryStore(join(large.config.dataDir, 'events.db'), 200_000, SYSTEMS);
  expect(runCli(['export', '--config', small.file, '-o', smallLog]).code).toBe(0);
  expect(runCli(['export', '--config', large.file, '-o', largeLog]).code).toBe(0);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function eventCount(dataDir: string): number {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('long store commands', { timeout: 180_000 }, () => {
  const commands: [string, (out: string) => string[]][] = [
    ['export', (out) => ['export', '--config', small.file, '-o', out]],
    ['import', (out) => ['import', smallLog, '--config', small.file, '--data-dir', out]],
    ['rebuild', () => ['rebuild', '--config', small.file]],
    ['scenario export', (out) => ['scenario', 'export', '--config', small.file, '-o', out]],
  ];

  it('show progress on a terminal, redrawn in place, and none when piped or --quiet; --progress forces plain lines', () => {
    for (const [name, args] of commands) {
      const onTerminal = runCliInTerminal(args(join(dir, `tty-${name.replace(' ', '-')}`)));
      expect(onTerminal.code, `${name}: ${onTerminal.output}`).toBe(0);
      expect(onTerminal.output, name).toMatch(new RegExp(`\\r\\x1b\\[2K${PROGRESS.source}`));
      expect(onTerminal.output, name).toMatch(/[\d,]+\/s/);

      const piped = runCli(args(join(dir, `piped-${name.replace(' ', '-')}`)));
      expect(piped.code, `${name}: ${piped.stderr}`).toBe(0);
      expect(piped.stderr, name).not.toMatch(PROGRESS);

      const quiet = runCliInTerminal([...args(join(dir, `quiet-${name.replace(' ', '-')}`)), '--quiet']);
      expect(quiet.code, name).toBe(0);
      expect(quiet.output, name).not.toMatch(PROGRESS);

      const forced = runCli([...args(join(dir, `forced-${name.replace(' ', '-')}`)), '--progress']);
      expect(forced.code, name).toBe(0);
      expect(forced.stderr, name).toMatch(new RegExp(`^${PROGRESS.source}`, 'm'));
      expect(forced.stderr, name).not.toContain('\r');
    }
  });

  it('an interrupted export or scenario export leaves no file, not even a partial one', async () => {
    for (const [args, signal, code] of [
      [['export', '--config', large.file], 'SIGINT', 130],
      [['scenario', 'export', '--config', large.file], 'SIGTERM', 143],
    ] as const) {
      const out = mkdirAt(`interrupted-${args[0]}-${signal}`);
      const run = startCli([...args, '-o', join(out, 'log.ndjson'), '--progress']);
      await run.stderrMatches(PROGRESS);
      run.child.kill(signal);
      expect(await run.exited, run.output.stderr).toBe(code);
      expect(run.output.stderr).toContain('interrupted: no file was written');
      expect(readdirSync(out)).toEqual([]);
    }
    // Killed, it cannot clean up: what it leaves is the hidden partial file, never the output.
    const out = mkdirAt('killed-export');
    const killed = startCli(['export', '--config', large.file, '-o', join(out, 'log.ndjson'), '--progress']);
    await killed.stderrMatches(PROGRESS);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(readdirSync(out).filter((name) => !name.startsWith('.'))).toEqual([]);
  });

  it('an interrupted rebuild leaves the views as they were', async () => {
    const viewsOf = () => {
      const db = new Database(join(large.config.dataDir, 'events.db'), { readonly: true });
      try {
        return JSON.stringify(db.prepare('SELECT odata_id, position FROM views ORDER BY odata_id').all());
      } finally {
        db.close();
      }
    };
    // A view no rebuild would make: gone if the rebuild's transaction were committed, even in part.
    const db = new Database(join(large.config.dataDir, 'events.db'));
    db.prepare("INSERT INTO views (odata_id, body, position) VALUES ('/sentinel', '{}', 1)").run();
    db.close();
    const before = viewsOf();
    expect(before).toContain('/sentinel');
    const run = startCli(['rebuild', '--config', large.file, '--progress']);
    await run.stderrMatches(/rebuild: [\d,]+ \/ 200,\d+ events/);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(viewsOf()).toBe(before);
  });

  it('an interrupted import leaves the target as it was: no store where there was none, an empty store empty', async () => {
    // Where there was no store: none after a Ctrl-C, none after a kill -9 (only a hidden file beside it).
    const fresh = join(dir, 'import-fresh');
    const interrupted = startCli(['import', largeLog, '--config', large.file, '--data-dir', fresh, '--progress']);
    await interrupted.stderrMatches(/import \(projecting\)/);
    interrupted.child.kill('SIGINT');
    expect(await interrupted.exited, interrupted.output.stderr).toBe(130);
    expect(interrupted.output.stderr).toContain('interrupted: the target store is as it was');
    expect(existsSync(fresh)).toBe(false);

    mkdirSync(fresh);
    const killed = startCli(['import', largeLog, '--config', large.file, '--data-dir', fresh, '--progress']);
    await killed.stderrMatches(/import \(projecting\)/);
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toBe(137);
    expect(readdirSync(fresh).filter((name) => !name.startsWith('.'))).toEqual([]);

    // An existing empty store (as a server leaves it): still empty after a SIGTERM or a kill -9 (one transaction).
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGKILL', 137],
    ] as const) {
      const target = join(dir, `import-into-empty-${signal}`);
      openEventStore({
        file: join(target, 'events.db'),
        projectors,
        projectionVersion: PROJECTION_VERSION,
      }).store.db.close();
      const run = startCli(['import', largeLog, '--config', large.file, '--data-dir', target, '--progress']);
      await run.stderrMatches(/import \(projecting\)/);
      run.child.kill(signal);
      expect(await run.exited, run.output.stderr).toBe(code);
      expect(eventCount(target)).toBe(0);
      expect(readdirSync(target).filter((name) => !name.startsWith('events.db'))).toEqual([]);
    }
  });
});
