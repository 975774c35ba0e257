import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { executeClientCommand } from '../../src/eventstore/execute-command.js';
import { PROJECTION_VERSION, projectors } from '../../src/projections/catalog.js';
import { storeFile } from '../../src/open-configured-store.js';
import { ensureServiceCreated } from '../../src/service-identity.js';
import { readConfiguredAccounts, recordConfiguredAccounts } from '../../src/redfish/auth/configured-accounts.js';
import { labSystems } from '../../src/lab/lab-systems.js';
import { registerSystems } from '../../src/lab/register-systems.js';
import { systemDecider } from '../../src/domain/system/system-decider.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import { exportScenario } from '../../src/scenario/export-scenario.js';
import { loadScenarioFor, replayScenario } from '../../src/scenario/replay-scenario.js';
import { testConfig } from '../support/config.js';

/*
 * Pace and selection, on a log written directly (a client's commands a second apart, no lab):
 * `original` keeps the recorded gaps, `fast` does not; `actor` keeps one client's commands.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-scenario-pace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scenario pace', () => {
  const { config } = testConfig(dir, { lab: { systems: [{ id: 'n1', domain: 'rfe-test-never-defined' }] } });
  let tick = 0;
  const { store } = openEventStore({
    file: storeFile(config),
    projectors,
    projectionVersion: PROJECTION_VERSION,
    clock: () => new Date(Date.UTC(2026, 0, 1) + (tick += 1000)),
  });
  // Positions 1-4: the service, its accounts, the system and its firmware, as a start records
  // them; the patches are 5, 6 and 7.
  ensureServiceCreated(store);
  recordConfiguredAccounts(store, config, readConfiguredAccounts(config));
  registerSystems(store, labSystems(config));
  const patch = (led: 'Blinking' | 'Off', actor: string) =>
    executeClientCommand(
      store,
      systemStream('n1'),
      systemDecider,
      { type: 'PatchSystem', led },
      { actor, requestId: `r-${tick}` },
    );
  patch('Blinking', 'user:a');
  patch('Off', 'user:b');
  patch('Blinking', 'user:a');
  const file = join(dir, 'pace.ndjson');
  const byA = join(dir, 'by-a.ndjson');
  beforeAll(async () => {
    await exportScenario(store, config, {}, file);
    await exportScenario(store, config, { actor: 'user:a', fromPosition: 6 }, byA);
    store.db.close();
  });

  it('replays at the recorded pace when asked, and as fast as it can otherwise, to the same views', async () => {
    const scenario = loadScenarioFor(file, config);
    const original = await replayScenario(scenario, config, {
      pace: 'original',
      waitSeconds: 1,
      keep: false,
      withLab: false,
    });
    expect(original.equal).toBe(true);
    expect(original.durationMs).toBeGreaterThanOrEqual(2000);
    const fast = await replayScenario(scenario, config, { pace: 'fast', waitSeconds: 1, keep: false, withLab: false });
    expect(fast.equal).toBe(true);
    expect(fast.durationMs).toBeLessThan(2000);
  });

  it("keeps one client's commands, those before the range as setup", () => {
    const scenario = loadScenarioFor(byA, config);
    expect(
      scenario.lines.map((line) =>
        line.kind === 'step' ? `${line.actor} ${line.setup ? 'setup' : 'range'}` : line.kind,
      ),
    ).toEqual(['user:a setup', 'user:a range']);
    expect(scenario.header.range).toEqual({ fromPosition: 6, toPosition: 7, actor: 'user:a' });
  });
});
