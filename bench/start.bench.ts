/**
 * Start-up of the installed `redfish-emulator` command on a stored lab: a store of a 100,000-event
 * lab history (BENCH_START_EVENTS) with its views built, served with HTTPS and authentication as
 * by default. Each run execs the command (the wrapper scripts/install-command writes, installed
 * in a temp folder) and times, from the exec, the "serving" line and the first 200 on
 * /redfish/v1. The first run, which makes the TLS certificate, is reported apart.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/project-root.js';
import { labHistorySystems } from '../test/support/lab-history.js';
import { writeLabHistoryStore } from '../test/support/lab-history-store.js';
import { percentile, printTable } from './table.js';

const EVENTS = Number(process.env['BENCH_START_EVENTS'] ?? 100_000);
const RUNS = Number(process.env['BENCH_START_RUNS'] ?? 5);
const SYSTEMS = 4;

const workDir = mkdtempSync(join(tmpdir(), 'rfe-bench-start-'));
const root = projectRoot();

/** Installs the command in workDir/bin and returns its path. */
function installCommand(): string {
  const binDir = join(workDir, 'bin');
  const run = spawnSync(join(root, 'scripts', 'install-command'), {
    encoding: 'utf8',
    env: { ...process.env, REDFISH_EMULATOR_BIN_DIR: binDir },
  });
  if (run.status !== 0) throw new Error(`install-command failed: ${run.stderr}`);
  return join(binDir, 'redfish-emulator');
}

/** The status of a GET of `url`, or undefined when nothing answers yet. */
function status(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

interface Start {
  readonly servingMs: number;
  readonly firstOkMs: number;
}

/** Execs `command serve`, times the serving line and the first 200, then stops it. */
async function timeStart(command: string, config: string, port: number): Promise<Start> {
  const started = performance.now();
  const child = spawn(command, ['serve', '--config', config, '--port', String(port), '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let servingMs: number | undefined;
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    output += text;
    if (servingMs === undefined && /serving https?:\/\/\S+\/redfish\/v1/.test(output))
      servingMs = performance.now() - started;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}:\n${output}`);
      if ((await status(`https://127.0.0.1:${port}/redfish/v1`)) === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const firstOkMs = performance.now() - started;
    while (servingMs === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    return { servingMs, firstOkMs };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

try {
  const command = installCommand();
  const dataDir = join(workDir, 'data');
  const written = writeLabHistoryStore(join(dataDir, 'events.db'), EVENTS, SYSTEMS);
  // The lab the history is of; test:///default and no domains made, so no run changes libvirt.
  const config = join(workDir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir: 'data',
      libvirt: { uri: 'test:///default' },
      lab: { createMissingDomains: false, systems: labHistorySystems(SYSTEMS) },
    }),
  );
  const rebuild = spawnSync(command, ['rebuild', '--config', config], { encoding: 'utf8' });
  if (rebuild.status !== 0) throw new Error(`rebuild failed: ${rebuild.stderr}`);

  const port = 18000 + Math.floor(Math.random() * 1000);
  const first = await timeStart(command, config, port);
  const runs: Start[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timeStart(command, config, port));
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const rows = runs.map((run, i) => [`run ${i + 1}`, ms(run.servingMs), ms(run.firstOkMs)]);
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  rows.push(['median', ms(median(runs.map((r) => r.servingMs))), ms(median(runs.map((r) => r.firstOkMs)))]);
  rows.unshift(['first start (makes the certificate)', ms(first.servingMs), ms(first.firstOkMs)]);
  printTable(
    `redfish-emulator serve, exec to serving, on a stored lab of ${written.toLocaleString('en-US')} events (goal < 1,000 ms)`,
    ['', 'serving line', 'first 200 /redfish/v1'],
    rows,
  );
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
