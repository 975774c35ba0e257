/**
 * Conformance at scale: `npm run conformance:scale`. The demo lab's VMs (config/default.json, on
 * libvirt's test:///default) beside CONFORMANCE_SYSTEMS simulated systems (1,000 by default) and
 * one simulated system on BIOS firmware, served over HTTPS with session and Basic auth. Runs
 * DMTF's Service Validator (each collection of systems, managers, chassis and firmware walked to
 * its first CONFORMANCE_COLLECTION_LIMIT members, 30 by default; 0 walks every member) and
 * Protocol Validator, then drives sushy: the whole Systems collection, and on a VM and two
 * simulated systems power on, a boot override and power off, each read back. Prints one table;
 * exits 1 on any failure. Everything it starts is removed, however it ends.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runValidator, serviceValidatorResources, validatorsMissing } from '../test/support/conformance.js';
import { startEmulatorProcess, stopEmulatorProcess, type EmulatorProcess } from '../test/support/emulator-process.js';
import { uniqueName } from '../test/support/libvirt.js';
import { makeTestCertificate } from '../test/support/test-certificate.js';
import { DEMO_VMS_URI, demoVms, removeDemoVms } from './demo-vms.js';
import { printTable } from './table.js';

const SIMULATED = Number(process.env['CONFORMANCE_SYSTEMS'] ?? 1000);
const LIMIT = Number(process.env['CONFORMANCE_COLLECTION_LIMIT'] ?? 30);
const PORT = Number(process.env['CONFORMANCE_PORT'] ?? 18510);
/** The systems on simulated:/// and on libvirt whose power and boot override sushy drives. */
const DRIVEN = ['node-1', 'sim-0001', 'bios-sim'];

/**
 * The collections that grow with the lab, each walked to its first LIMIT members: every other
 * collection (a system's storage, drives, NICs, …) is walked whole, as are those members.
 */
const collectionLimits = (limit: number) =>
  limit > 0
    ? { ComputerSystem: limit, Manager: limit, Chassis: limit, SoftwareInventory: limit, LogEntry: 20 }
    : undefined;

interface Lab {
  readonly dir: string;
  readonly configFile: string;
  readonly certFile: string;
  readonly poolName: string;
  readonly domains: readonly string[];
  readonly systems: number;
}

/** The demo lab with names of its own (its VMs without root disks: the test driver makes none) and the simulated systems. */
function labConfig(dir: string): Lab {
  const { certFile, keyFile } = makeTestCertificate(dir);
  const demo = demoVms('conformance');
  const poolName = uniqueName('conformance-pool');
  const drive = (id: number) => ({ id: String(id), capacityBytes: 2 ** 40, mediaType: 'SSD', protocol: 'SAS' });
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: join(dir, 'data'),
      listen: { address: '127.0.0.1', port: PORT },
      auth: { enabled: true },
      tls: { certFile, keyFile },
      libvirt: { uri: DEMO_VMS_URI, pool: { name: poolName, path: join(dir, 'pool') } },
      lab: {
        createMissingDomains: true,
        network: { type: 'user' },
        systems: demo,
        simulated: [
          {
            count: SIMULATED,
            id: 'sim-{index:4}',
            name: 'Simulated node {index}',
            template: {
              vcpus: 32,
              memoryMiB: 262144,
              firmware: 'UEFI',
              nics: 2,
              serialNumber: 'SIM-{index:6}',
              storage: [{ id: 'RAID', drives: [0, 1, 2, 3].map(drive) }],
            },
            powerSeconds: { min: 1, max: 3 },
          },
          // Sorted before the others, so a walk limited to the first members still reaches it.
          { id: 'bios-sim', name: 'Simulated node on BIOS', template: { firmware: 'BIOS' }, powerSeconds: 1 },
        ],
      },
    }),
  );
  return {
    dir,
    configFile,
    certFile,
    poolName,
    domains: demo.map((s) => s.domain),
    systems: demo.length + SIMULATED + 1,
  };
}

/** A GET of the emulator as the Administrator, trusting its certificate. */
function getJson(emulator: EmulatorProcess, lab: Lab, path: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      `${emulator.url}${path}`,
      { ca: readFileSync(lab.certFile), auth: 'admin:password' },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(JSON.parse(body))
            : reject(new Error(`${path}: ${response.statusCode}`)),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** Waits until every system is listed and the log has stood still for two seconds: each has been observed. */
async function labUp(emulator: EmulatorProcess, lab: Lab): Promise<void> {
  const newest = async () =>
    (await getJson(emulator, lab, '/emulator/v1/History?limit=1&order=newest'))['Events']?.[0]?.['position'] ?? 0;
  while ((await getJson(emulator, lab, '/redfish/v1/Systems'))['Members@odata.count'] !== lab.systems)
    await new Promise((resolve) => setTimeout(resolve, 1000));
  for (let last = -1, now = await newest(); now !== last; last = now, now = await newest())
    await new Promise((resolve) => setTimeout(resolve, 2000));
}

/**
 * sushy's script: lists the systems, and on each of `ids` powers on, sets a one-time PXE boot
 * override and powers off, reading each back. Prints one JSON line: the systems it listed and
 * each check that failed.
 */
const SUSHY_SCRIPT = `
import json, sys, time
import sushy
url, cert, ids = sys.argv[1], sys.argv[2], sys.argv[3].split(',')
client = sushy.Sushy(url + '/redfish/v1', auth=sushy.auth.SessionOrBasicAuth('admin', 'password'), verify=cert)
listed = [s.identity for s in client.get_system_collection().get_members()]
checks, failed = 0, []
def check(what, ok):
    global checks
    checks += 1
    if not ok: failed.append(what)
def settles(system, want):
    for _ in range(60):
        system.refresh()
        if system.power_state == want: return True
        time.sleep(0.5)
    return False
for id in ids:
    system = client.get_system('/redfish/v1/Systems/' + id)
    system.reset_system(sushy.ResetType.ON)
    check(id + ' powered on', settles(system, sushy.PowerState.ON))
    system.set_system_boot_options(sushy.BootSource.PXE, enabled=sushy.BootSourceOverrideEnabled.ONCE)
    system.refresh()
    check(id + ' boots once from PXE', system.boot.target == sushy.BootSource.PXE
          and system.boot.enabled == sushy.BootSourceOverrideEnabled.ONCE)
    system.reset_system(sushy.ResetType.FORCE_OFF)
    check(id + ' powered off', settles(system, sushy.PowerState.OFF))
print(json.dumps({'listed': len(listed), 'unique': len(set(listed)), 'checks': checks, 'failed': failed}))
`;

async function driveWithSushy(
  emulator: EmulatorProcess,
  lab: Lab,
): Promise<{ listed: number; unique: number; checks: number; failed: string[] }> {
  const env = { ...process.env };
  // sushy's requests would trust this bundle instead of the certificate it is given.
  delete env['REQUESTS_CA_BUNDLE'];
  delete env['CURL_CA_BUNDLE'];
  const { stdout } = await promisify(execFile)(
    '/usr/bin/python3',
    ['-c', SUSHY_SCRIPT, emulator.url, lab.certFile, DRIVEN.join(',')],
    { env, timeout: 600_000, maxBuffer: 16 * 2 ** 20, signal: stopping.signal },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/** Runs one validator, timed, and answers its row of the table and whether anything failed. */
async function validate(
  emulator: EmulatorProcess,
  lab: Lab,
  mode: 'service' | 'protocol',
  limit: number,
): Promise<{ row: string[]; failed: boolean }> {
  const reports = join(lab.dir, `report-${mode}-${limit}`);
  const started = performance.now();
  const summary = await runValidator(mode, emulator.url, reports, lab.certFile, {
    timeoutMs: 3 * 3600_000,
    collectionLimits: collectionLimits(limit),
    signal: stopping.signal,
  });
  const seconds = (performance.now() - started) / 1000;
  const [passed, failed] = /(\d+) passed, (\d+) failed$/.exec(summary)?.slice(1) ?? ['?', '?'];
  const what =
    mode === 'protocol'
      ? 'Protocol Validator'
      : `Service Validator, ${limit > 0 ? `collections of the lab to ${limit}` : 'every member'}`;
  const resources = mode === 'service' ? serviceValidatorResources(reports).toLocaleString('en-US') : '-';
  const count = (n: string) => (n === '?' ? n : Number(n).toLocaleString('en-US'));
  return {
    row: [
      what,
      lab.systems.toLocaleString('en-US'),
      resources,
      count(passed!),
      count(failed!),
      `${seconds.toFixed(1)} s`,
    ],
    failed: failed !== '0',
  };
}

const missing = validatorsMissing();
if (missing) {
  console.error(`conformance:scale needs DMTF's validators: ${missing}`);
  process.exit(2);
}
const lab = labConfig(mkdtempSync(join(tmpdir(), 'rfe-bench-conformance-')));
/** Aborted by a signal: stops the validator or sushy under way. */
const stopping = new AbortController();
let emulator: EmulatorProcess | undefined;
let cleaned: Promise<void> | undefined;
const cleanUp = () =>
  (cleaned ??= (async () => {
    if (emulator) await stopEmulatorProcess(emulator);
    await removeDemoVms(lab.domains, lab.poolName).catch((err: unknown) =>
      console.error(`removing the lab's libvirt objects: ${err}`),
    );
    rmSync(lab.dir, { recursive: true, force: true });
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    stopping.abort();
    void cleanUp().finally(() => process.exit(130));
  });

let failures = 0;
try {
  const starting = performance.now();
  emulator = await startEmulatorProcess(lab.configFile);
  await labUp(emulator, lab);
  console.log(`lab of ${lab.systems} systems up in ${((performance.now() - starting) / 1000).toFixed(1)} s`);
  const rows: string[][] = [];
  for (const [mode, limit] of [
    ['service', LIMIT],
    ['protocol', LIMIT],
  ] as const) {
    stopping.signal.throwIfAborted();
    const result = await validate(emulator, lab, mode, limit);
    rows.push(result.row);
    if (result.failed) failures++;
  }
  stopping.signal.throwIfAborted();
  const started = performance.now();
  const sushy = await driveWithSushy(emulator, lab);
  const listedAll = sushy.listed === lab.systems && sushy.unique === lab.systems;
  if (!listedAll || sushy.failed.length > 0) failures++;
  for (const what of sushy.failed) console.log(`sushy: ${what}: no`);
  rows.push([
    `sushy: listed, and power and boot override on ${DRIVEN.join(', ')}`,
    sushy.listed.toLocaleString('en-US'),
    '-',
    String(sushy.checks - sushy.failed.length + (listedAll ? 1 : 0)),
    String(sushy.failed.length + (listedAll ? 0 : 1)),
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
  ]);
  printTable(
    `DMTF's validators and sushy on ${lab.systems.toLocaleString('en-US')} systems`,
    ['check', 'systems', 'resources checked', 'passed', 'failed', 'wall time'],
    rows,
  );
} catch (err) {
  console.error(err);
  failures++;
} finally {
  await cleanUp();
}
process.exit(failures > 0 ? 1 : 0);
