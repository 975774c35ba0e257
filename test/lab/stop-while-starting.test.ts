import { afterAll, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';

/**
 * A stop while the lab is still starting, at its steps that go through many simulated machines
 * one by one: the work cut short is not reported, one line per machine, as if libvirt had gone.
 */
const dir = mkdtempSync(join(tmpdir(), 'rfe-test-stop-starting-'));
const SYSTEMS = 1000;
const running: RunningEmulator[] = [];

afterAll(async () => {
  await Promise.all(running.map((emulator) => emulator.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** A first start of a lab of SYSTEMS simulated systems, with the lines it says. */
async function startLab(name: string) {
  const labDir = join(dir, name);
  mkdirSync(labDir);
  const { config } = testConfig(labDir, {
    libvirt: { uri: 'simulated:///' },
    lab: { systems: [], simulated: [{ count: SYSTEMS, id: 'sim-{index}', template: { vcpus: 1, memoryMiB: 64 } }] },
  });
  const lines: string[] = [];
  const emulator = await startEmulator(config, { announce: (line) => lines.push(line) });
  running.push(emulator);
  return { emulator, lines };
}

/** The types of the events of the first and of the last system. */
const firstAndLast = (emulator: RunningEmulator) =>
  [1, SYSTEMS].map((n) =>
    queryHistory(emulator.store.db, { resource: `/redfish/v1/Systems/sim-${n}` }).map((e) => e.type),
  );

/** Waits until the first system has an event of `type` the last has not yet: the step is under way. */
async function untilUnderWay(emulator: RunningEmulator, type: string): Promise<void> {
  while (!firstAndLast(emulator)[0]!.includes(type)) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(firstAndLast(emulator)[1]).not.toContain(type);
}

async function stop(emulator: RunningEmulator): Promise<void> {
  running.splice(running.indexOf(emulator), 1);
  await emulator.close();
}

it.each([
  ['the claim of each domain for this store', 'DomainClaimed'],
  ['the first look at each system', 'DomainObserved'],
])('stops during %s without a line per system', async (_step, eventType) => {
  const { emulator, lines } = await startLab(eventType);
  await untilUnderWay(emulator, eventType);
  await stop(emulator);
  expect(lines.filter((line) => /closing/.test(line))).toEqual([]);
});
