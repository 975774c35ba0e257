import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { projectRoot } from '../../src/project-root.js';
import { testConfig } from '../support/config.js';
import { runValidator, validatorsMissing } from '../support/conformance.js';
import { makeTestCertificate } from '../support/test-certificate.js';

const SHARED = join(projectRoot(), '..', 'shared');
const missing = validatorsMissing();

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-mockup-conformance-'));
let emulator: RunningEmulator;

beforeAll(async () => {
  if (missing) return;
  const { config } = testConfig(dir, {
    auth: { enabled: true },
    tls: makeTestCertificate(dir),
    lab: { systems: [], mockup: { dir: join(SHARED, 'redfish', 'mockups', 'public-rackmount1') } },
  });
  emulator = await startEmulator(config);
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function validate(mode: 'service' | 'protocol'): Promise<{ passed: number; failed: number }> {
  const summary = await runValidator(mode, emulator.url, join(dir, `report-${mode}`), join(dir, 'cert.pem'));
  const [, passed, failed] = /(\d+) passed, (\d+) failed$/.exec(summary) ?? [];
  return { passed: Number(passed), failed: Number(failed ?? Number.NaN) };
}

describe.skipIf(missing !== undefined)("DMTF's conformance tools on the public-rackmount1 mockup lab", () => {
  it('the Service Validator finds only what the tree itself holds, and its recorded session', async () => {
    // 19 from the tree's data: 13 Sensors that PowerSupplies name but the tree lacks (404),
    // ServiceConditions without an Id, a LogEntry's StartTime and EndTime without seconds, and
    // three action targets (PowerSupply.Reset and two ResetMetrics) outside /Actions/. And 2 from
    // the sessions being real: the tree's recorded session (1234567890ABCDEG), which its
    // OutboundConnection links to, is not one of this service's, so it answers 404.
    const { passed, failed } = await validate('service');
    expect(passed).toBeGreaterThan(5000);
    expect(failed).toBeLessThanOrEqual(21);
  }, 300_000);

  it('the Protocol Validator finds no failure', async () => {
    expect(await validate('protocol')).toMatchObject({ failed: 0 });
  }, 300_000);
});
