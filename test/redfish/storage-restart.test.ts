import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DeviceModifyFlag, DomainXmlFlag } from '../../src/libvirt/constants.js';
import { diskDeviceXml } from '../../src/libvirt/xml/device-xml.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { volumeXml } from '../../src/libvirt/xml/storage-xml.js';
import { loadConfig } from '../../src/config/load-config.js';
import { openConfiguredStore } from '../../src/open-configured-store.js';
import { executeCommand, loadState } from '../../src/eventstore/execute-command.js';
import { storageDecider, type StorageCommand } from '../../src/domain/storage/storage-decider.js';
import { driveUri, storageStream } from '../../src/domain/storage/storage-events.js';
import { legacyBackingVolumeName } from '../../src/domain/storage/backing-volume-name.js';
import { removeLabByName, uniqueName } from '../support/libvirt.js';
import { startEmulatorProcess, stopEmulatorProcess, type EmulatorProcess } from '../support/emulator-process.js';

/*
 * The emulator as a separate process, stopped cleanly or with kill -9 at each step of a volume
 * request, then started again: the log and libvirt must agree — every volume the log made exists
 * in libvirt exactly once and attached once, no libvirt volume is left that no volume owns, and
 * every task ends.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-storage-restart-'));
const poolDir = join(dir, 'pool');
const domainName = uniqueName('restart');
const poolName = uniqueName('pool');
const configFile = join(dir, 'config.json');
const STREAM = storageStream('r1', 'RAID');
const VOLUMES = `${STREAM}/Volumes`;
const MiB = 1024 * 1024;
let libvirt: LibvirtClient;

async function json(url: string): Promise<Record<string, any>> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return (await response.json()) as Record<string, any>;
}

/** Runs commands on the store while no emulator runs: what it had recorded when it was killed. */
function recordWhileStopped(...commands: StorageCommand[]): void {
  const { store } = openConfiguredStore(loadConfig({ file: configFile, env: {} }), { mustExist: true });
  try {
    for (const command of commands) {
      const outcome = executeCommand(store, STREAM, storageDecider, command, { actor: 'test' });
      if (!outcome.ok) throw new Error(`${command.type}: ${outcome.problem.messageId}`);
    }
  } finally {
    store.db.close();
  }
}

function volumesInLog(): Record<string, { created: boolean; backingVolume: string }> {
  const { store } = openConfiguredStore(loadConfig({ file: configFile, env: {} }), { mustExist: true });
  try {
    return loadState(store, STREAM, storageDecider).state.volumes;
  } finally {
    store.db.close();
  }
}

const create = (
  taskId: string,
  drives: number[],
  applyTime: 'Immediate' | 'OnReset' = 'Immediate',
): StorageCommand => ({
  type: 'CreateVolume',
  taskId,
  applyTime,
  request: {
    raidType: drives.length === 1 ? 'RAID0' : 'RAID1',
    drives: drives.map((d) => driveUri('r1', 'RAID', String(d))),
    capacityBytes: 8 * MiB,
  },
});

/** Waits until no task runs any more (Completed, Exception, or waiting for a reset). */
async function tasksSettle(emulator: EmulatorProcess): Promise<Record<string, any>[]> {
  const tasks = async () =>
    Promise.all(
      ((await json(`${emulator.url}/redfish/v1/TaskService/Tasks`))['Members'] as { '@odata.id': string }[]).map((m) =>
        json(`${emulator.url}${m['@odata.id']}`),
      ),
    );
  await expect
    .poll(async () => (await tasks()).filter((t) => t['TaskState'] === 'Running').length, {
      timeout: 60_000,
      interval: 100,
    })
    .toBe(0);
  return tasks();
}

/**
 * The log and libvirt agree: each volume the log made has its libvirt volume and exactly one
 * disk in the domain's definition; nothing else of ours is in the pool.
 */
async function expectAgreement(): Promise<void> {
  const made = Object.values(volumesInLog())
    .filter((v) => v.created)
    .map((v) => v.backingVolume);
  const pool = await libvirt.poolLookupByName(poolName);
  await libvirt.poolRefresh(pool);
  const inPool = (await libvirt.poolListVolumes(pool)).map((v) => v.name);
  expect(inPool.sort()).toEqual([...made].sort());
  const disks = readDomainXml(
    await libvirt.domainGetXml(await libvirt.domainLookupByName(domainName), DomainXmlFlag.Inactive),
  ).disks.filter((d) => d.device === 'disk');
  expect(disks.map((d) => d.sourceFile).sort()).toEqual(made.map((name) => join(poolDir, name)).sort());
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: join(dir, 'data'),
      listen: { port: 0 },
      auth: { enabled: false },
      tls: false,
      libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: poolDir } },
      lab: {
        createMissingDomains: true,
        systems: [
          {
            id: 'r1',
            domain: domainName,
            memoryMiB: 64,
            storage: [
              {
                id: 'RAID',
                drives: [0, 1, 2, 3].map((i) => ({
                  id: String(i),
                  capacityBytes: 1024 * MiB,
                  mediaType: 'HDD',
                  protocol: 'SAS',
                })),
              },
            ],
          },
        ],
      },
    }),
  );
  libvirt = await LibvirtClient.connect('qemu:///system');
});

afterAll(async () => {
  await removeLabByName(libvirt, { domain: domainName, pool: poolName });
  await libvirt.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('storage across restarts of the emulator process', { timeout: 180_000 }, () => {
  it('keeps volumes, pending requests and tasks over a clean restart, and carries the pending ones out at the next boot', async () => {
    let emulator = await startEmulatorProcess(configFile);
    const post = (body: unknown) =>
      fetch(`${emulator.url}${VOLUMES}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const drives = (...ids: number[]) => ({
      Drives: ids.map((i) => ({ '@odata.id': driveUri('r1', 'RAID', String(i)) })),
    });
    // 201 when libvirt was quick; 202 and a task monitor when the machine is busy.
    const made = await post({ RAIDType: 'RAID1', CapacityBytes: 8 * MiB, Links: drives(0, 1) });
    expect([201, 202]).toContain(made.status);
    if (made.status === 202)
      await expect
        .poll(async () => (await fetch(`${emulator.url}${made.headers.get('location')}`)).status, {
          timeout: 60_000,
          interval: 100,
        })
        .toBe(201);
    const pending = await post({
      RAIDType: 'RAID0',
      CapacityBytes: 8 * MiB,
      Links: drives(2),
      '@Redfish.OperationApplyTime': 'OnReset',
    });
    expect(pending.status).toBe(202);
    const monitor = pending.headers.get('location')!;
    const before = await json(`${emulator.url}${VOLUMES}/1`);
    await stopEmulatorProcess(emulator, 'SIGTERM');

    emulator = await startEmulatorProcess(configFile);
    expect(await json(`${emulator.url}${VOLUMES}/1`)).toEqual(before);
    expect((await fetch(`${emulator.url}${monitor}`)).status).toBe(202);
    await expectAgreement();
    await fetch(`${emulator.url}/redfish/v1/Systems/r1/Actions/ComputerSystem.Reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ResetType":"On"}',
    });
    await expect
      .poll(async () => (await fetch(`${emulator.url}${monitor}`)).status, { timeout: 60_000, interval: 100 })
      .toBe(201);
    await fetch(`${emulator.url}/redfish/v1/Systems/r1/Actions/ComputerSystem.Reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ResetType":"ForceOff"}',
    });
    await expect
      .poll(async () => (await json(`${emulator.url}/redfish/v1/Systems/r1`))['PowerState'], { timeout: 60_000 })
      .toBe('Off');
    await expectAgreement();
    await stopEmulatorProcess(emulator, 'SIGTERM');
  });

  it('finishes a request whatever step kill -9 cut it at, exactly once and leaving nothing behind', async () => {
    const pool = await libvirt.poolLookupByName(poolName);
    const domain = await libvirt.domainLookupByName(domainName);
    const ids = Object.keys(volumesInLog()).map(Number);
    const next = (n: number) => String(Math.max(0, ...ids) + n);

    // Commands recorded here carry no store tag, as those of a log written before names carried
    // the store: their backing volumes have the names volumes had then.
    // Cut after the request was recorded, before libvirt was asked anything.
    recordWhileStopped(create('cut-before-libvirt', [0]));
    // Cut after the libvirt volume was made, before it was attached.
    recordWhileStopped(create('cut-after-volume', [1]));
    await libvirt.volumeCreateXml(
      pool,
      volumeXml({ name: legacyBackingVolumeName('r1', 'RAID', next(2)), capacityBytes: 8 * MiB }),
    );
    // Cut after it was attached, before the outcome was recorded.
    recordWhileStopped(create('cut-after-attach', [3]));
    const attached = await libvirt.volumeCreateXml(
      pool,
      volumeXml({ name: legacyBackingVolumeName('r1', 'RAID', next(3)), capacityBytes: 8 * MiB }),
    );
    await libvirt.domainAttachDevice(
      domain,
      diskDeviceXml({ sourceFile: await libvirt.volumeGetPath(attached), targetDev: 'vdy', serial: 'CUT' }),
      DeviceModifyFlag.Config,
    );
    // Cut in the middle of a delete: detached and deleted in libvirt, not yet recorded.
    recordWhileStopped({ type: 'DeleteVolume', taskId: 'cut-in-delete', applyTime: 'Immediate', volumeId: '1' });
    const first = await libvirt.volumeLookupByName(pool, volumesInLog()['1']!.backingVolume);
    const path = await libvirt.volumeGetPath(first);
    const disk = readDomainXml(await libvirt.domainGetXml(domain, DomainXmlFlag.Inactive)).disks.find(
      (d) => d.sourceFile === path,
    )!;
    await libvirt.domainDetachDevice(
      domain,
      diskDeviceXml({ sourceFile: path, targetDev: disk.targetDev! }),
      DeviceModifyFlag.Config,
    );
    await libvirt.volumeDelete(first);

    const emulator = await startEmulatorProcess(configFile);
    const tasks = await tasksSettle(emulator);
    const byId = Object.fromEntries(tasks.map((t) => [t['Id'], t['TaskState']]));
    expect(byId).toMatchObject({
      'cut-before-libvirt': 'Completed',
      'cut-after-volume': 'Completed',
      'cut-after-attach': 'Completed',
      'cut-in-delete': 'Completed',
    });
    await expectAgreement();
    await stopEmulatorProcess(emulator, 'SIGKILL');
  });

  it('loses no acknowledged request when killed -9 in the middle of a burst', async () => {
    let emulator = await startEmulatorProcess(configFile);
    const body = (drive: number) =>
      JSON.stringify({
        RAIDType: 'RAID0',
        CapacityBytes: MiB,
        Links: { Drives: [{ '@odata.id': driveUri('r1', 'RAID', String(drive)) }] },
      });
    const acknowledged: string[] = [];
    let firstAcknowledged = () => {};
    const someAcknowledged = new Promise<void>((resolve) => (firstAcknowledged = resolve));
    const burst = Array.from({ length: 12 }, (_, i) =>
      fetch(`${emulator.url}${VOLUMES}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(i % 4),
      })
        .then((response) => {
          if (response.status === 201 || response.status === 202) acknowledged.push(response.headers.get('location')!);
          firstAcknowledged();
        })
        .catch(() => undefined),
    );
    // Killed while the rest of the burst is recorded but not yet carried out.
    await someAcknowledged;
    await stopEmulatorProcess(emulator, 'SIGKILL');
    await Promise.all(burst);

    emulator = await startEmulatorProcess(configFile);
    await tasksSettle(emulator);
    const volumes = await json(`${emulator.url}${VOLUMES}`);
    const listed = (volumes['Members'] as { '@odata.id': string }[]).map((m) => m['@odata.id']);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const location of acknowledged) {
      // A create answered 201 names its volume; one answered 202 its task monitor, which names the volume once done.
      const volume = location.includes('/TaskMonitors/')
        ? (await fetch(`${emulator.url}${location}`)).headers.get('location')
        : location;
      expect(listed).toContain(volume);
    }
    await expectAgreement();
    await stopEmulatorProcess(emulator, 'SIGTERM');
  });
});
