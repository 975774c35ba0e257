import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { projectRoot } from '../../src/project-root.js';
import { testConfig } from '../support/config.js';
import { quietly, uniqueName } from '../support/libvirt.js';

/** DMTF's Service and Protocol Validators, kept beside the project in shared/. */
const RUN = join(projectRoot(), '..', 'shared', 'tools', 'redfish-conformance', 'run');
const PYTHON_MODULES = 'import requests, requests_toolbelt, requests_unixsocket, jsonpatch, jsonpointer, openpyxl, colorama, pyasn1, pyasn1_modules';
const missing = !existsSync(RUN)
  ? `${RUN} is not there`
  : spawnSync('/usr/bin/python3', ['-c', PYTHON_MODULES]).status !== 0
    ? "/usr/bin/python3 lacks the validators' modules (scripts/setup installs them)"
    : undefined;
if (missing) console.warn(`skipping DMTF's validators: ${missing}`);

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-conformance-'));
const domainName = uniqueName('conformance');
const poolName = uniqueName('pool');
let emulator: RunningEmulator;

beforeAll(async () => {
  if (missing) return;
  chmodSync(dir, 0o755);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    { stdio: 'ignore' },
  );
  const { config } = testConfig(dir, {
    auth: { enabled: true },
    tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: join(dir, 'pool') } },
    lab: { createMissingDomains: true, systems: [{ id: 'node-1', name: 'Conformance node', domain: domainName, memoryMiB: 64 }] },
  });
  emulator = await startEmulator(config);
  await emulator.lab!.ready;
}, 120_000);

afterAll(async () => {
  await emulator?.close();
  if (!missing) {
    const libvirt = await LibvirtClient.connect('qemu:///system');
    const domain = await libvirt.domainLookupByName(domainName).catch(() => undefined);
    if (domain) await quietly(() => libvirt.domainUndefine(domain));
    const pool = await libvirt.poolLookupByName(poolName).catch(() => undefined);
    if (pool) {
      await quietly(() => libvirt.poolDestroy(pool));
      await quietly(() => libvirt.poolUndefine(pool));
    }
    await libvirt.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Runs one validator (asynchronously: the emulator it talks to runs in this process). */
async function validate(mode: 'service' | 'protocol'): Promise<string> {
  const result = await promisify(execFile)(RUN, [mode, emulator.url, 'admin', 'password'], {
    encoding: 'utf8',
    timeout: 300_000,
    // The tools' HTTP library trusts the CA bundle named here (machines often name the system's,
    // which would refuse this test's self-signed certificate): name the certificate itself.
    env: { ...process.env, REPORT_DIR: join(dir, `report-${mode}`), REQUESTS_CA_BUNDLE: join(dir, 'cert.pem'), CURL_CA_BUNDLE: join(dir, 'cert.pem') },
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const summary = result.stdout.trim().split('\n').at(-1) ?? '';
  console.log(summary);
  if (!/ 0 failed$/.test(summary)) console.log(result.stdout);
  return summary;
}

describe.skipIf(missing !== undefined)("DMTF's conformance tools on a freshly started emulator (HTTPS, session auth)", () => {
  it('the Service Validator finds no failure', async () => {
    expect(await validate('service')).toMatch(/^redfish-conformance-service: \d+ passed, 0 failed$/);
  }, 300_000);

  it('the Protocol Validator finds no failure', async () => {
    expect(await validate('protocol')).toMatch(/^redfish-conformance-protocol: \d+ passed, 0 failed$/);
  }, 300_000);
});
