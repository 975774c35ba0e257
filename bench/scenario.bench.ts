/**
 * Scenario benchmark: run by `npm run bench:history` after the history table. Prints one table.
 *
 * A lab's history of SCENARIO_EVENTS events (default 100,000; BENCH_SCENARIO_EVENTS sets it),
 * made by the real deciders (test/support/lab-history.ts: 16 systems with RAID controllers
 * driven through provisioning cycles, each client command recorded with its events), is
 * written to a store. Then the whole of it is exported as a scenario, the file read and
 * checked, and replayed onto a fresh store without libvirt (`scenario replay --no-lab`): each
 * client command decided again, the lab's outcomes recorded as they were, every view projected
 * and compared with the recorded one.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../src/views/open-store.js';
import { openConfiguredStore, storeFile } from '../src/open-configured-store.js';
import { PROJECTION_VERSION } from '../src/projections/catalog.js';
import { exportScenario } from '../src/scenario/export-scenario.js';
import { loadScenarioFor, replayScenario } from '../src/scenario/replay-scenario.js';
import { LabHistory, labHistorySystems } from '../test/support/lab-history.js';
import { testConfig } from '../test/support/config.js';
import { formatRate, printTable } from './table.js';

const SCENARIO_EVENTS = Number(process.env['BENCH_SCENARIO_EVENTS'] ?? 100_000);
const SYSTEMS = 16;

const workDir = mkdtempSync(join(tmpdir(), 'rfe-bench-scenario-'));
const count = (n: number) => n.toLocaleString('en-US');
const seconds = (since: number) => (performance.now() - since) / 1000;

async function main(): Promise<void> {
  const { config } = testConfig(workDir, { lab: { systems: labHistorySystems(SYSTEMS) } });
  const rows: string[][] = [];

  // The recorded lab: appended without inline projection, as fast as SQLite takes it.
  const history = new LabHistory({ systems: SYSTEMS });
  let tick = 0;
  const clock = () => new Date(Date.UTC(2026, 0, 1) + (tick += 250));
  const recorded = openEventStore({
    file: storeFile(config),
    projectors: [],
    projectionVersion: PROJECTION_VERSION,
    clock,
  }).store;
  while (recorded.lastPosition() < SCENARIO_EVENTS)
    recorded.appendAll(Array.from({ length: 500 }, () => history.next()));
  recorded.db.close();

  const { store } = openConfiguredStore(config, { mustExist: true });
  const file = join(workDir, 'scenario.ndjson');
  let started = performance.now();
  const header = await exportScenario(store, config, {}, file);
  const exportSeconds = seconds(started);
  const events = store.lastPosition();
  store.db.close();
  const lines = header.steps + header.outcomes;
  rows.push([
    'export (steps, outcomes, views at the end)',
    `${formatRate(events / exportSeconds)} events/s`,
    `${count(header.steps)} steps, ${count(header.outcomes)} outcomes, ${count(header.views)} views, ${(statSync(file).size / 1e6).toFixed(1)} MB`,
  ]);

  started = performance.now();
  const scenario = loadScenarioFor(file, config);
  rows.push(['read and check the file', `${formatRate(lines / seconds(started))} lines/s`, `${count(lines)} lines`]);

  const report = await replayScenario(scenario, config, {
    pace: 'fast',
    waitSeconds: 1,
    keep: false,
    withLab: false,
    dataDir: join(workDir, 'replay'),
  });
  const replaySeconds = report.durationMs / 1000;
  const differences = report.stepDifferences.length + report.outcomeDifferences.length + report.viewDifferences.length;
  rows.push([
    'replay without libvirt (decide, record, project, compare)',
    `${formatRate(report.events / replaySeconds)} events/s`,
    `${count(report.events)} events in ${replaySeconds.toFixed(1)} s, ${report.equal ? 'views equal' : `${count(differences)} differences`}`,
  ]);

  printTable(
    `Scenario export and replay (${process.version}, a ${count(events)}-event lab history of ${SYSTEMS} systems, no libvirt)`,
    ['measure', 'result', 'over'],
    rows,
  );
  if (!report.equal) {
    console.log(
      JSON.stringify(
        {
          steps: report.stepDifferences.slice(0, 3),
          outcomes: report.outcomeDifferences.slice(0, 3),
          views: report.viewDifferences.slice(0, 3),
        },
        null,
        2,
      ),
    );
    process.exitCode = 1;
  }
}

try {
  await main();
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
