/**
 * Web console benchmark: `npm run bench:console`. Prints one table.
 *
 * A lab history of LOG_SIZE events (default 1,000,000; BENCH_CONSOLE_EVENTS sets it) from the
 * real deciders (16 systems), written as test/support/lab-history-store.ts writes it, and an
 * emulator started on it in this process (plain HTTP, authentication on). Then, beside an
 * emulator on an empty store:
 *
 * - the timeline's first page as the console asks for it (GET /emulator/v1/History, newest
 *   first, 50 events), unfiltered and with each filter the console offers (a system, a
 *   resource, an actor, a type, a time), over HTTP with a session token: p50 and p99;
 * - in Debian's Chromium (when /usr/bin/chromium is there): from the change of the page's
 *   address to the timeline drawn, p50 and p99.
 *
 * BENCH_CONSOLE_READS sets the number of reads per row (default 40).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { startEmulator, type RunningEmulator } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { writeLabHistoryStore } from '../test/support/lab-history-store.js';
import { percentile, printTable } from './table.js';

const LOG_SIZE = Number(process.env['BENCH_CONSOLE_EVENTS'] ?? 1_000_000);
const READS = Number(process.env['BENCH_CONSOLE_READS'] ?? 40);
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const PAGE = 'order=newest&limit=50';

const workDir = mkdtempSync(join(tmpdir(), 'rfe-bench-console-'));
const rows: string[][] = [];
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
const count = (n: number) => n.toLocaleString('en-US');

async function start(name: string, events: number): Promise<RunningEmulator> {
  const dir = join(workDir, name);
  mkdirSync(join(dir, 'data'), { recursive: true });
  if (events > 0) {
    const started = performance.now();
    const written = writeLabHistoryStore(join(dir, 'data', 'events.db'), events, 16);
    console.error(`bench: wrote ${count(written)} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ dataDir: join(dir, 'data'), listen: { port: 0 }, tls: false, lab: { systems: [] } }),
  );
  return startEmulator(loadConfig({ file: join(dir, 'config.json'), env: {} }));
}

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/redfish/v1/SessionService/Sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ UserName: 'admin', Password: 'password' }),
  });
  return response.headers.get('x-auth-token')!;
}

/** p50 and p99 of `read`, after one read that is not counted (the first resource read indexes the log). */
async function measure(read: () => Promise<void>): Promise<{ p50: number; p99: number; first: number }> {
  let started = performance.now();
  await read();
  const first = performance.now() - started;
  const samples: number[] = [];
  for (let i = 0; i < READS; i++) {
    started = performance.now();
    await read();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), first };
}

async function benchApi(label: string, emulator: RunningEmulator, events: number): Promise<void> {
  const token = await login(emulator.url);
  const queries: [string, string][] = [
    ['first page', PAGE],
    ['a system', `${PAGE}&resource=/redfish/v1/Systems/node-7`],
    ['a volume', `${PAGE}&resource=/redfish/v1/Systems/node-7/Storage/RAID-Controller-1/Volumes/1`],
    ['an actor', `${PAGE}&actor=libvirt-observer`],
    ['a type', `${PAGE}&type=ResetRequested`],
    ['a type never recorded', `${PAGE}&type=MarkPlaced`],
    ['the last hour', `${PAGE}&since=1h`],
  ];
  for (const [what, query] of queries) {
    let listed = 0;
    const result = await measure(async () => {
      const response = await fetch(`${emulator.url}/emulator/v1/History?${query}`, {
        headers: { 'x-auth-token': token },
      });
      if (response.status !== 200) throw new Error(`${query}: ${response.status} ${await response.text()}`);
      listed = ((await response.json()) as { Events: unknown[] }).Events.length;
    });
    rows.push([
      `History API, ${what}`,
      label,
      count(events),
      String(listed),
      ms(result.first),
      ms(result.p50),
      ms(result.p99),
    ]);
  }
}

async function benchBrowser(label: string, emulator: RunningEmulator, events: number): Promise<void> {
  if (!existsSync(CHROMIUM)) return;
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${emulator.url}/console/`);
    await page.type('#user', 'admin');
    await page.type('#password', 'password');
    await page.click('#login button[type=submit]');
    await page.waitForFunction(
      () => document.body.dataset['drawn'] !== undefined || document.getElementById('status')!.className === 'error',
      { timeout: 120_000 },
    );
    const problem = await page.$eval('#status', (status) => (status.className === 'error' ? status.textContent : null));
    if (problem) throw new Error(`the console says: ${problem}`);
    let round = 0;
    let listed = 0;
    const result = await measure(async () => {
      const before = await page.evaluate(() => document.body.dataset['drawn']);
      // A new address each time, so the page draws the timeline anew.
      await page.evaluate(
        (n) => (location.hash = `#/timeline?until=${new Date(Date.now() + 3_600_000 + n).toISOString()}`),
        round++,
      );
      await page.waitForFunction((b) => document.body.dataset['drawn'] !== b, { timeout: 60_000 }, before);
      listed = await page.$$eval('.entry', (entries) => entries.length);
    });
    rows.push([
      'console in Chromium, timeline drawn',
      label,
      count(events),
      String(listed),
      ms(result.first),
      ms(result.p50),
      ms(result.p99),
    ]);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  try {
    for (const [label, events] of [
      ['empty store', 0],
      ['lab history', LOG_SIZE],
    ] as const) {
      const emulator = await start(label.replace(' ', '-'), events);
      try {
        const stored = emulator.store.lastPosition();
        await benchApi(label, emulator, stored);
        await benchBrowser(label, emulator, stored);
      } finally {
        await emulator.close();
      }
    }
    printTable(
      `Web console timeline, ${READS} reads each (first read apart)`,
      ['what', 'store', 'events', 'listed', 'first', 'p50', 'p99'],
      rows,
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
