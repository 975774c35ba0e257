/**
 * Event store benchmark: `npm run bench`. Prints one table.
 *
 * - single-event appends per second, each its own transaction with the inline projection
 *   (a projector that reads, changes and writes one Redfish document per event, as the
 *   resource projections do);
 * - batched appends (100 events per append);
 * - rebuild rate over a log of LOG_SIZE events (default 1,000,000);
 * - time from process start to serving /healthz with that log stored;
 * - database size per million events.
 *
 * Appends and rebuild are also given per second of CPU time (user + system) of this process: on a
 * machine shared with other work, wall-clock rates swing with the load, CPU rates much less, so
 * those rows are the ones to compare between two builds measured at different moments.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEventStore } from '../src/views/open-store.js';
import { rebuildViews } from '../src/views/rebuild.js';
import { projectors as liveProjectors, PROJECTION_VERSION } from '../src/projections/catalog.js';
import type { NewEvent } from '../src/eventstore/event.js';
import { sampleProjector } from '../test/support/sample-projector.js';
import { formatRate, printTable } from './table.js';

const LOG_SIZE = Number(process.env['BENCH_LOG_SIZE'] ?? 1_000_000);
const SINGLE_APPENDS = Number(process.env['BENCH_SINGLE_APPENDS'] ?? 50_000);
const STREAMS = 200;
const projectors = [...liveProjectors, sampleProjector];
const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));

const workDir = mkdtempSync(join(tmpdir(), 'rfe-bench-'));
const rows: string[][] = [];

function changeEvent(i: number): NewEvent {
  return { type: 'SampleChanged', data: { i, state: i % 2 === 0 ? 'On' : 'Off', note: 'power state observed' } };
}

function openStore(name: string) {
  return openEventStore({ file: join(workDir, name), projectors, projectionVersion: PROJECTION_VERSION }).store;
}

function seedStreams(store: ReturnType<typeof openStore>): void {
  for (let s = 0; s < STREAMS; s += 1) {
    store.append({
      streamId: `/samples/${s}`,
      expectedVersion: 0,
      events: [{ type: 'SampleCreated', data: { name: `s${s}` } }],
    });
  }
}

/** CPU seconds (user + system) this process spent since `start`, a process.cpuUsage() reading. */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function databaseBytes(file: string): number {
  return [file, `${file}-wal`].filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
}

/** Single-event appends, each checking its stream's expected version. */
function benchSingleAppends(): void {
  const store = openStore('single.db');
  seedStreams(store);
  const versions = new Array<number>(STREAMS).fill(1);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (let i = 0; i < SINGLE_APPENDS; i += 1) {
    const s = i % STREAMS;
    store.append({ streamId: `/samples/${s}`, expectedVersion: versions[s]!, events: [changeEvent(i)] });
    versions[s]! += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSecondsSince(cpuStarted);
  rows.push([
    'single-event appends, inline projection',
    `${formatRate(SINGLE_APPENDS / seconds)} events/s`,
    `${SINGLE_APPENDS.toLocaleString('en-US')} appends`,
    '≥ 20,000/s',
  ]);
  rows.push([
    '  the same, per CPU second',
    `${formatRate(SINGLE_APPENDS / cpuSeconds)} events/s`,
    `${cpuSeconds.toFixed(2)} s user+sys`,
    '',
  ]);
  store.db.close();
}

/** Fills a store with LOG_SIZE events in appends of 100, and reports that rate. */
function benchBatchedAppends(file: string): void {
  const store = openStore(file);
  seedStreams(store);
  const batch = 100;
  let i = STREAMS;
  const started = performance.now();
  while (i < LOG_SIZE) {
    const s = ((i / batch) % STREAMS) | 0;
    const events = Array.from({ length: Math.min(batch, LOG_SIZE - i) }, (_, k) => changeEvent(i + k));
    store.append({ streamId: `/samples/${s}`, expectedVersion: 'any', events });
    i += events.length;
  }
  const seconds = (performance.now() - started) / 1000;
  rows.push([
    'batched appends (100 per append)',
    `${formatRate((LOG_SIZE - STREAMS) / seconds)} events/s`,
    `${LOG_SIZE.toLocaleString('en-US')} events`,
    '',
  ]);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.db.close();
}

function benchRebuild(file: string): void {
  const store = openStore(file);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = rebuildViews(store.db, projectors);
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSecondsSince(cpuStarted);
  rows.push([
    'rebuild (drop views, replay log)',
    `${formatRate(result.events / seconds)} events/s`,
    `${result.events.toLocaleString('en-US')} events, ${seconds.toFixed(2)} s`,
    '≥ 200,000/s',
  ]);
  rows.push([
    '  the same, per CPU second',
    `${formatRate(result.events / cpuSeconds)} events/s`,
    `${cpuSeconds.toFixed(2)} s user+sys`,
    '',
  ]);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.db.close();
  const megabytes = databaseBytes(join(workDir, file)) / 1e6;
  rows.push([
    'database size per million events',
    `${((megabytes * 1_000_000) / result.events).toFixed(0)} MB`,
    `${megabytes.toFixed(0)} MB for ${result.events.toLocaleString('en-US')}`,
    '',
  ]);
}

/** Spawns `serve` on the filled store and times it until /healthz answers. */
async function benchStartToServe(dataDir: string): Promise<void> {
  const port = 18000 + Math.floor(Math.random() * 1000);
  // Plain HTTP and a lab of no systems: this measures the store, and must not touch libvirt.
  const config = join(workDir, 'no-lab.json');
  writeFileSync(config, JSON.stringify({ tls: false, lab: { systems: [] } }));
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--config', config, '--data-dir', dataDir, '--port', String(port)],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const ms = performance.now() - started;
    rows.push([
      'start to serving, log stored',
      `${ms.toFixed(0)} ms`,
      `${LOG_SIZE.toLocaleString('en-US')} events (process spawn included)`,
      '< 1,000 ms',
    ]);
  } finally {
    child.kill('SIGTERM');
  }
}

try {
  benchSingleAppends();
  const dataDir = join(workDir, 'served');
  const file = join('served', 'events.db');
  benchBatchedAppends(file);
  benchRebuild(file);
  await benchStartToServe(dataDir);
  printTable(
    `Event store (${process.version}, SQLite WAL, synchronous=NORMAL)`,
    ['measure', 'result', 'over', 'target'],
    rows,
  );
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
