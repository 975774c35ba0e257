import { afterAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';

/**
 * A stop while the lab is still starting (its first look at each of many simulated machines):
 * the work cut short is not reported as failing, one line per machine, as if libvirt had gone.
 */
const dir = mkdtempSync(join(tmpdir(), 'rfe-test-stop-starting-'));
const SYSTEMS = 1000;
let emulator: RunningEmulator | undefined;

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('stops during the first look at each system without a failure line per system', async () => {
  const { config } = testConfig(dir, {
    libvirt: { uri: 'simulated:///' },
    lab: { systems: [], simulated: [{ count: SYSTEMS, id: 'sim-{index}', template: { vcpus: 1, memoryMiB: 64 } }] },
  });
  const lines: string[] = [];
  emulator = await startEmulator(config, { announce: (line) => lines.push(line) });
  // The observer looks at the systems in order, a few at a time: once it has seen the first,
  // most of the others are still to be looked at.
  const db = emulator.store.db;
  while (!queryHistory(db, { resource: '/redfish/v1/Systems/sim-1' }).some((e) => e.type === 'DomainObserved'))
    await new Promise((resolve) => setTimeout(resolve, 5));
  expect(queryHistory(db, { resource: `/redfish/v1/Systems/sim-${SYSTEMS}` }).map((e) => e.type)).not.toContain(
    'DomainObserved',
  );
  const running = emulator;
  emulator = undefined;
  await running.close();
  expect(lines.filter((line) => /failing/.test(line))).toEqual([]);
});
