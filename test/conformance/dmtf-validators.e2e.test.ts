import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { configDrives, testConfig } from '../support/config.js';
import { runValidator, validatorsMissing } from '../support/conformance.js';
import { makeTestCertificate } from '../support/test-certificate.js';
import { executeCommand } from '../../src/eventstore/execute-command.js';
import { storageDecider } from '../../src/domain/storage/storage-decider.js';
import { systemDecider } from '../../src/domain/system/system-decider.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import { driveUri, storageStream } from '../../src/domain/storage/storage-events.js';
import { taskUri } from '../../src/projections/tasks.js';
import { removeLabByName, uniqueName } from '../support/libvirt.js';
import { eventServiceDecider } from '../../src/domain/event-service/event-service-decider.js';
import { EVENT_SERVICE_STREAM } from '../../src/domain/event-service/event-service-events.js';
import { request as httpsRequest } from 'node:https';
import type { ClientRequest } from 'node:http';

const missing = validatorsMissing();
/** Simulated systems in the lab beside the libvirt domain. */
const SIMULATED = 20;

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-conformance-'));
const domainName = uniqueName('conformance');
const poolName = uniqueName('pool');
let emulator: RunningEmulator;
let sseStream: ClientRequest | undefined;

beforeAll(async () => {
  if (missing) return;
  chmodSync(dir, 0o755);
  makeTestCertificate(dir);
  const { config } = testConfig(dir, {
    auth: { enabled: true },
    tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: join(dir, 'pool') } },
    lab: {
      createMissingDomains: true,
      systems: [
        {
          id: 'node-1',
          name: 'Conformance node',
          domain: domainName,
          memoryMiB: 64,
          storage: [
            {
              id: 'RAID',
              drives: Array.from({ length: 8 }, (_, i) => ({
                id: String(i),
                capacityBytes: 2 ** 30,
                mediaType: 'HDD',
                protocol: 'SAS',
              })),
            },
          ],
        },
      ],
      // Simulated systems beside the VM, walked whole: they stay as conformant as it is.
      simulated: [
        {
          count: SIMULATED,
          id: 'sim-{index:2}',
          template: {
            vcpus: 16,
            memoryMiB: 65536,
            firmware: 'UEFI',
            nics: 2,
            storage: [
              {
                id: 'RAID',
                drives: configDrives(2, 2 ** 30),
              },
            ],
          },
          powerSeconds: 1,
        },
        { id: 'sim-bios', template: { firmware: 'BIOS' } },
      ],
    },
  });
  emulator = await startEmulator(config);
  await emulator.lab!.ready;
  await layOutEveryLevel(emulator);
  failAReset(emulator);
  trustAnImageServer(emulator, readFileSync(join(dir, 'cert.pem'), 'utf8'));
  stageAFirmwareUpdate(emulator);
  await listenForEvents(emulator);
  const health = () =>
    JSON.parse(emulator.store.views.get('/redfish/v1/Managers/node-1/VirtualMedia/Cd')!.body).Status.Health;
  for (let waited = 0; health() !== 'Warning'; waited += 50) {
    if (waited > 30_000) throw new Error('the insert from a closed port did not fail within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 120_000);

/**
 * A certificate in the CD drive's Certificates, and an insert from a port nothing listens on,
 * which fails: the validators see a Certificate and a drive with a condition.
 */
function trustAnImageServer(running: RunningEmulator, pem: string): void {
  const stream = systemStream('node-1');
  expect(
    executeCommand(running.store, stream, systemDecider, { type: 'AddMediaCertificate', device: 'Cd', pem }).ok,
  ).toBe(true);
  expect(
    executeCommand(running.store, stream, systemDecider, {
      type: 'InsertMedia',
      device: 'Cd',
      image: 'https://127.0.0.1:9/boot.iso',
    }).ok,
  ).toBe(true);
}

/**
 * A push subscription to a closed local port (its deliveries fail and it is suspended in time)
 * and an open SSE stream: the validators see the EventService with both kinds of subscription.
 */
async function listenForEvents(running: RunningEmulator): Promise<void> {
  const spec = {
    destination: 'http://127.0.0.1:9/events',
    protocol: 'Redfish',
    context: 'conformance',
    eventFormatType: 'Event',
    deliveryRetryPolicy: 'SuspendRetries',
    verifyCertificate: true,
  } as const;
  expect(
    executeCommand(running.store, EVENT_SERVICE_STREAM, eventServiceDecider, { type: 'CreateSubscription', spec }).ok,
  ).toBe(true);
  await new Promise<void>((resolve, reject) => {
    sseStream = httpsRequest(
      `${running.url}/redfish/v1/EventService/SSE`,
      { ca: readFileSync(join(dir, 'cert.pem')), auth: 'admin:password' },
      (response) => {
        if (response.statusCode !== 200) reject(new Error(`SSE stream answered ${response.statusCode}`));
        response.on('error', () => undefined);
        response.resume();
        resolve();
      },
    );
    sseStream.on('error', reject);
    sseStream.end();
  });
}

/**
 * Volumes of every level the controller offers, made in libvirt; one more waiting for the next
 * reset; one made on a drive that then fails (Degraded, and a RAID0 beside it Failed): the
 * validators see every state a volume, drive and task can be in.
 */
async function layOutEveryLevel(running: RunningEmulator): Promise<void> {
  const stream = storageStream('node-1', 'RAID');
  const drives = (...ids: number[]) => ids.map((i) => driveUri('node-1', 'RAID', String(i)));
  const levels: [string, number[]][] = [
    ['None', [0]],
    ['RAID0', [0, 1]],
    ['RAID1', [2, 3]],
    ['RAID5', [0, 1, 2]],
    ['RAID6', [0, 1, 2, 3]],
    ['RAID10', [4, 5, 6, 7]],
    ['RAID50', [0, 1, 2, 3, 4, 5]],
    ['RAID60', [0, 1, 2, 3, 4, 5, 6, 7]],
  ];
  const command = (taskId: string, raidType: string, members: number[], applyTime: 'Immediate' | 'OnReset') =>
    executeCommand(running.store, stream, storageDecider, {
      type: 'CreateVolume',
      taskId,
      applyTime,
      request: { raidType, drives: drives(...members), capacityBytes: 16 * 2 ** 20 },
    });
  for (const [raidType, members] of levels)
    expect(command(`level-${raidType}`, raidType, members, 'Immediate').ok).toBe(true);
  expect(command('at-reset', 'RAID1', [6, 7], 'OnReset').ok).toBe(true);
  const done = () =>
    levels.every(
      ([raidType]) => JSON.parse(running.store.views.get(taskUri(`level-${raidType}`))!.body).TaskState === 'Completed',
    );
  for (let waited = 0; !done(); waited += 50) {
    if (waited > 60_000) throw new Error('volumes were not made in libvirt within a minute');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(executeCommand(running.store, stream, storageDecider, { type: 'FailDrive', driveId: '3' }).ok).toBe(true);
}

/** A reset libvirt refused, as the reconciler records one: the validators see the system's Status with a condition. */
function failAReset(running: RunningEmulator): void {
  const outcome = {
    type: 'RecordResetOutcome',
    resetType: 'Nmi',
    requestedAt: running.store.lastPosition(),
    message: 'NMI injection refused by the hypervisor',
  } as const;
  expect(executeCommand(running.store, systemStream('node-1'), systemDecider, outcome).ok).toBe(true);
}

/** A BIOS image fetched and waiting for the next reset: a staged inventory item and a Pending firmware Task. */
function stageAFirmwareUpdate(running: RunningEmulator): void {
  const stream = systemStream('node-1');
  const request = {
    type: 'RequestFirmwareUpdate',
    taskId: 'f1',
    imageUri: 'http://127.0.0.1:9/bios-2.0.0.bin',
    transferProtocol: 'HTTP',
    targets: ['node-1-BIOS'],
  } as const;
  expect(executeCommand(running.store, stream, systemDecider, request).ok).toBe(true);
  expect(
    executeCommand(running.store, stream, systemDecider, {
      type: 'RecordFirmwareImage',
      taskId: 'f1',
      version: '2.0.0',
      sha256: '0'.repeat(64),
      sizeBytes: 1024,
    }).ok,
  ).toBe(true);
}

afterAll(async () => {
  sseStream?.destroy();
  await emulator?.close();
  if (!missing) {
    const libvirt = await LibvirtClient.connect('qemu:///system');
    await removeLabByName(libvirt, { domain: domainName, pool: poolName });
    await libvirt.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

const validate = (mode: 'service' | 'protocol') =>
  runValidator(mode, emulator.url, join(dir, `report-${mode}`), join(dir, 'cert.pem'), { timeoutMs: 570_000 });

describe.skipIf(missing !== undefined)(
  "DMTF's conformance tools on a freshly started emulator (HTTPS, session auth)",
  () => {
    // The validator walks every resource in Python: 230 to 270 s alone on a 2-core machine, and
    // more beside the rest of the suite, so it is given ten minutes.
    it('the Service Validator finds no failure', async () => {
      expect(await validate('service')).toMatch(/^redfish-conformance-service: \d+ passed, 0 failed$/);
      const walked = readFileSync(join(dir, 'report-service', 'service.log'), 'utf8');
      for (const id of ['node-1', 'sim-01', `sim-${SIMULATED}`, 'sim-bios'])
        expect(walked).toContain(`Validating /redfish/v1/Systems/${id}/Bios...`);
    }, 600_000);

    it('the Protocol Validator finds no failure', async () => {
      expect(await validate('protocol')).toMatch(/^redfish-conformance-protocol: \d+ passed, 0 failed$/);
      // It takes no second account: it makes a ReadOnly one through the AccountService and checks
      // with it that another's account cannot be changed, and that accounts honour If-Match.
      const report = join(dir, 'report-protocol');
      const tsv = readdirSync(report).find((name) => name.endsWith('.tsv'))!;
      const results = readFileSync(join(report, tsv), 'utf8')
        .split('\n')
        .map((line) => line.split('\t'));
      const resultsOf = (assertion: string) => [
        ...new Set(results.filter((row) => row[0] === assertion).map((row) => row[4])),
      ];
      for (const assertion of [
        'SEC_PRIV_OPERATION_TO_PRIV_MAPPING',
        'SEC_ACCOUNTS_SUPPORT_ETAGS',
        'SEC_PRIV_ROLE_ASSIGNED_AT_ACCOUNT_CREATE',
        'REQ_PATCH_BAD_PROP',
      ]) {
        expect(resultsOf(assertion), assertion).toEqual(['PASS']);
      }
    }, 300_000);
  },
);
