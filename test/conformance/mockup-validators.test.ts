import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { projectRoot } from '../../src/project-root.js';
import { testConfig } from '../support/config.js';

const SHARED = join(projectRoot(), '..', 'shared');
const RUN = join(SHARED, 'tools', 'redfish-conformance', 'run');
const missing = !existsSync(RUN)
  ? `${RUN} is not there`
  : spawnSync('/usr/bin/python3', ['-c', 'import requests, requests_toolbelt, jsonpatch, openpyxl, colorama, pyasn1']).status !== 0
    ? "/usr/bin/python3 lacks the validators' modules"
    : undefined;

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-mockup-conformance-'));
let emulator: RunningEmulator;

beforeAll(async () => {
  if (missing) return;
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    { stdio: 'ignore' },
  );
  const { config } = testConfig(dir, {
    auth: { enabled: true },
    tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
    lab: { systems: [], mockup: { dir: join(SHARED, 'redfish', 'mockups', 'public-rackmount1') } },
  });
  emulator = await startEmulator(config);
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function validate(mode: 'service' | 'protocol'): Promise<{ passed: number; failed: number }> {
  const result = await promisify(execFile)(RUN, [mode, emulator.url, 'admin', 'password'], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, REPORT_DIR: join(dir, `report-${mode}`), REQUESTS_CA_BUNDLE: join(dir, 'cert.pem'), CURL_CA_BUNDLE: join(dir, 'cert.pem') },
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const summary = result.stdout.trim().split('\n').at(-1) ?? '';
  console.log(summary);
  const [, passed, failed] = /(\d+) passed, (\d+) failed$/.exec(summary) ?? [];
  return { passed: Number(passed), failed: Number(failed ?? Number.NaN) };
}

describe.skipIf(missing !== undefined)("DMTF's conformance tools on the public-rackmount1 mockup lab", () => {
  it('the Service Validator finds only what the tree itself holds', async () => {
    // 19, all from the tree's data: 13 Sensors that PowerSupplies name but the tree lacks
    // (404), ServiceConditions without an Id, a LogEntry's StartTime and EndTime without
    // seconds, and three action targets (PowerSupply.Reset and two ResetMetrics) outside /Actions/.
    const { passed, failed } = await validate('service');
    expect(passed).toBeGreaterThan(5000);
    expect(failed).toBeLessThanOrEqual(19);
  }, 300_000);

  it('the Protocol Validator finds no failure', async () => {
    expect(await validate('protocol')).toMatchObject({ failed: 0 });
  }, 300_000);
});
