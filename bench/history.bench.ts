/**
 * History benchmark: `npm run bench:history`. Prints one table.
 *
 * A lab's history of LOG_SIZE events (default 1,000,000; BENCH_HISTORY_EVENTS sets it), made by
 * the real deciders (test/support/lab-history.ts: 16 systems with RAID controllers driven
 * through provisioning cycles), is written to a store without inline projection, as fast as
 * SQLite takes it. Then:
 *
 * - replay rate: the first 100,000 events through the live projectors into memory views, no
 *   libvirt, the events already read;
 * - snapshots: one replay of the whole log from the store, recording a snapshot every
 *   SNAPSHOT_INTERVAL events (what reads into a stretch without snapshots leave behind; a
 *   running server copies its live views instead), their count and size;
 * - as-of read latency at LOG_SIZE events: one resource at a random position, restored from the
 *   snapshot below it and replayed to the position; and at a snapshot's own position (the
 *   restore alone);
 * - history by resource (history-query.ts) at LOG_SIZE events: the first page of a system's
 *   history, and a page from a random place in it.
 *
 * BENCH_HISTORY_READS sets the number of as-of reads (default 150); BENCH_SNAPSHOT_INTERVAL and
 * BENCH_KEYFRAME_EVERY try other snapshot spacings than the built-in ones.
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../src/views/open-store.js';
import { eventsOf } from '../src/eventstore/events-of.js';
import { queryHistory } from '../src/eventstore/history-query.js';
import type { RecordedEvent } from '../src/eventstore/event.js';
import { PROJECTION_VERSION, projectors } from '../src/projections/catalog.js';
import { ReplayViews } from '../src/views/replay-views.js';
import { TimeTravel } from '../src/views/time-travel.js';
import { KEYFRAME_EVERY, SNAPSHOT_INTERVAL } from '../src/views/view-snapshots.js';
import { LabHistory } from '../test/support/lab-history.js';
import { formatRate, percentile, printTable } from './table.js';

const LOG_SIZE = Number(process.env['BENCH_HISTORY_EVENTS'] ?? 1_000_000);
const REPLAY_EVENTS = Math.min(100_000, LOG_SIZE);
const READS = Number(process.env['BENCH_HISTORY_READS'] ?? 150);
const SYSTEMS = 16;
const QUERIES = 60;
const INTERVAL = Number(process.env['BENCH_SNAPSHOT_INTERVAL'] ?? SNAPSHOT_INTERVAL);
const KEYFRAMES = Number(process.env['BENCH_KEYFRAME_EVERY'] ?? KEYFRAME_EVERY);

const workDir = mkdtempSync(join(tmpdir(), 'rfe-bench-history-'));
const file = join(workDir, 'events.db');
const rows: string[][] = [];
const count = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

/** A seeded random source, so every run reads the same places. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
}

function fill(history: LabHistory): number {
  let tick = 0;
  const clock = () => new Date(Date.UTC(2026, 0, 1) + (tick += 250));
  const { store } = openEventStore({ file, projectors: [], projectionVersion: PROJECTION_VERSION, clock });
  const started = performance.now();
  while (store.lastPosition() < LOG_SIZE) {
    const batch = Array.from({ length: 500 }, () => history.next());
    store.appendAll(batch);
  }
  const seconds = (performance.now() - started) / 1000;
  const last = store.lastPosition();
  rows.push([
    'lab history written (16 systems, real deciders)',
    `${formatRate(last / seconds)} events/s`,
    `${count(last)} events`,
    '',
  ]);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.db.close();
  return last;
}

function benchReplay(db: Parameters<typeof eventsOf>[0]): void {
  const events: RecordedEvent[] = [...eventsOf(db, REPLAY_EVENTS)];
  const views = new ReplayViews();
  const started = performance.now();
  for (const event of events) for (const projector of projectors) projector.apply(event, views);
  const seconds = (performance.now() - started) / 1000;
  rows.push([
    'replay into memory views (events in memory)',
    `${formatRate(events.length / seconds)} events/s`,
    `${count(events.length)} events, ${count(views.size)} views at the end`,
    '',
  ]);
}

async function benchSnapshots(db: Parameters<typeof eventsOf>[0], last: number): Promise<void> {
  const timeTravel = new TimeTravel(db, {
    projectors,
    projectionVersion: PROJECTION_VERSION,
    snapshotInterval: INTERVAL,
    keyframeEvery: KEYFRAMES,
  });
  const started = performance.now();
  // As the server replays: snapshots deflated on the thread pool while the replay goes on.
  await timeTravel.viewsAtAsync(last);
  await timeTravel.snapshots!.settle();
  const seconds = (performance.now() - started) / 1000;
  const { count: snapshots, bytes } = timeTravel.snapshots!.stats();
  rows.push([
    'snapshots recorded by one replay of the log',
    `${formatRate(last / seconds)} events/s`,
    `${count(snapshots)} every ${count(INTERVAL)}, keyframe every ${KEYFRAMES}`,
    '',
  ]);
  rows.push([
    'snapshot storage per million events',
    `${((bytes / 1e6) * (1_000_000 / last)).toFixed(0)} MB`,
    `${(bytes / 1e6).toFixed(1)} MB for ${count(last)}`,
    '',
  ]);
}

function benchAsOf(db: Parameters<typeof eventsOf>[0], last: number, resources: readonly string[]): void {
  const timeTravel = new TimeTravel(db, {
    projectors,
    projectionVersion: PROJECTION_VERSION,
    snapshotInterval: INTERVAL,
    keyframeEvery: KEYFRAMES,
    saveSnapshots: false,
  });
  const next = random(42);
  const samples: number[] = [];
  let found = 0;
  for (let i = 0; i < READS; i += 1) {
    const position = 1 + Math.floor(next() * last);
    const resource = resources[Math.floor(next() * resources.length)]!;
    const started = performance.now();
    const [view] = timeTravel.viewAt(resource, [position]);
    samples.push(performance.now() - started);
    if (view) found += 1;
  }
  samples.sort((a, b) => a - b);
  const over = `${READS} reads at random positions of ${count(last)} (${found} found)`;
  rows.push(['as-of read, p50', ms(percentile(samples, 50)), over, '< 50 ms']);
  rows.push(['as-of read, p99', ms(percentile(samples, 99)), over, '']);
  // At a snapshot's own position nothing is replayed: what the restore costs.
  const restores: number[] = [];
  for (let i = 0; i < 50; i += 1) {
    const position = Math.max(INTERVAL, Math.floor((next() * last) / INTERVAL) * INTERVAL);
    const started = performance.now();
    timeTravel.viewAt(resources[i % resources.length]!, [position]);
    restores.push(performance.now() - started);
  }
  restores.sort((a, b) => a - b);
  rows.push(['as-of read at a snapshot (restore only), p50', ms(percentile(restores, 50)), `50 reads`, '']);
}

function benchHistory(db: Parameters<typeof eventsOf>[0], last: number): void {
  const next = random(7);
  const firstPage: number[] = [];
  const deepPage: number[] = [];
  let listed = 0;
  for (let i = 0; i < QUERIES; i += 1) {
    const resource = `/redfish/v1/Systems/node-${1 + Math.floor(next() * SYSTEMS)}`;
    let started = performance.now();
    listed += queryHistory(db, { resource }).length;
    firstPage.push(performance.now() - started);
    started = performance.now();
    queryHistory(db, { resource, afterPosition: Math.floor(next() * last), limit: 100 });
    deepPage.push(performance.now() - started);
  }
  for (const samples of [firstPage, deepPage]) samples.sort((a, b) => a - b);
  const over = `${count(last)} events, ${QUERIES} queries`;
  rows.push([
    'history by resource, first 1,000 (p50 / p99)',
    `${ms(percentile(firstPage, 50))} / ${ms(percentile(firstPage, 99))}`,
    `${over}, ${count(listed / QUERIES)} listed`,
    '',
  ]);
  rows.push([
    'history by resource, 100 after a random position',
    `${ms(percentile(deepPage, 50))} / ${ms(percentile(deepPage, 99))}`,
    over,
    '',
  ]);
}

try {
  const history = new LabHistory({ systems: SYSTEMS, seed: 1 });
  const last = fill(history);
  const { store } = openEventStore({ file, projectors, projectionVersion: PROJECTION_VERSION });
  benchReplay(store.db);
  await benchSnapshots(store.db, last);
  benchAsOf(store.db, last, history.resources());
  benchHistory(store.db, last);
  store.db.close();
  const bytes = [file, `${file}-wal`].filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
  rows.push(['database size with snapshots', `${(bytes / 1e6).toFixed(0)} MB`, `${count(last)} events`, '']);
  printTable(
    `History and time travel (${process.version}, ${count(last)} events, projectors into memory, no libvirt)`,
    ['measure', 'result', 'over', 'target'],
    rows,
  );
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
