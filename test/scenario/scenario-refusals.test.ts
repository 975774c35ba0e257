import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { exportScenario } from '../../src/scenario/export-scenario.js';
import { loadScenarioFor, replayScenario } from '../../src/scenario/replay-scenario.js';
import type { Scenario } from '../../src/scenario/read-scenario.js';
import type { ScenarioStep } from '../../src/scenario/scenario-format.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { uniqueName } from '../support/libvirt.js';

/*
 * A scenario exported across a refused request replays it and expects the same refusal: a
 * replay that refuses it again is equal, one that accepts it or refuses it otherwise says so.
 * Replays run without a lab; the recording's lab is libvirt's in-memory test driver.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-scenario-refusals-'));
const SYSTEM = '/redfish/v1/Systems/s1';
const file = join(dir, 'scenario.ndjson');
let config: EmulatorConfig;
let emulator: RunningEmulator;
let scenario: Scenario;
const { request } = redfishClient(() => emulator.url);

const replay = (s: Scenario) =>
  replayScenario(s, config, { pace: 'fast', waitSeconds: 5, keep: false, withLab: false });
/** The scenario with its refused step changed by `change`. */
const withRefusedStep = (change: (step: ScenarioStep) => ScenarioStep): Scenario => ({
  ...scenario,
  lines: scenario.lines.map((line) => (line.kind === 'step' && line.refused ? change(line) : line)),
});

beforeAll(async () => {
  config = testConfig(dir, {
    libvirt: { uri: 'test:///default', pool: { name: uniqueName('pool'), path: join(dir, 'pool') } },
    lab: { createMissingDomains: true, systems: [{ id: 's1', domain: uniqueName('domain'), firmware: 'BIOS' }] },
  }).config;
  emulator = await startEmulator(config, { resyncIntervalMs: 60_000 });
  await emulator.lab!.ready;
  expect((await request('PATCH', SYSTEM, { AssetTag: 'before' })).status).toBe(200);
  // UEFI HTTP boot on a BIOS machine: refused by the system's decider.
  const refused = await request('PATCH', SYSTEM, {
    Boot: { BootSourceOverrideTarget: 'UefiHttp', BootSourceOverrideEnabled: 'Once' },
  });
  expect(refused.status).toBe(400);
  // Refused before it is a command (the body): kept in history, not a step.
  expect((await request('PATCH', SYSTEM, { AssetTag: 7 })).status).toBe(400);
  expect((await request('PATCH', SYSTEM, { AssetTag: 'after' })).status).toBe(200);
  await exportScenario(emulator.store, config, {}, file);
  scenario = loadScenarioFor(file, config);
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('refused requests in scenarios', { timeout: 60_000 }, () => {
  it('exports the refused command as a step that expects its refusal, and a replay refuses it again', async () => {
    const steps = scenario.lines.filter((line): line is ScenarioStep => line.kind === 'step');
    expect(steps.map((s) => [s.command.type, s.events, s.refused ?? null])).toEqual([
      ['PatchSystem', ['AssetTagChanged'], null],
      ['PatchSystem', [], { status: 400, messageIds: ['Base.1.22.PropertyValueConflict'] }],
      ['PatchSystem', ['AssetTagChanged'], null],
    ]);
    expect(steps[1]!.streamId).toBe(SYSTEM);
    const report = await replay(scenario);
    expect(report.stepDifferences).toEqual([]);
    expect(report.equal, JSON.stringify(report.viewDifferences)).toBe(true);
  });

  it('reports a refused step the replay accepts, or refuses otherwise, as a difference', async () => {
    const accepted = await replay(
      withRefusedStep((step) => ({ ...step, command: { ...step.command, target: 'Pxe' } })),
    );
    expect(accepted.equal).toBe(false);
    expect(accepted.stepDifferences).toEqual([
      expect.objectContaining({
        command: 'PatchSystem',
        recorded: ['refused 400 Base.1.22.PropertyValueConflict'],
        replayed: ['BootOverrideChanged'],
      }),
    ]);

    const otherwise = await replay(
      withRefusedStep((step) => ({ ...step, refused: { status: 409, messageIds: ['Base.1.22.ResourceInUse'] } })),
    );
    expect(otherwise.stepDifferences).toEqual([
      expect.objectContaining({
        recorded: ['refused 409 Base.1.22.ResourceInUse'],
        replayed: { refused: '400 Base.1.22.PropertyValueConflict' },
      }),
    ]);
  });
});
