import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { backingVolumeName } from '../../src/domain/storage/backing-volume-name.js';
import { storeTag } from '../../src/service-identity.js';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DeviceModifyFlag, DomainXmlFlag } from '../../src/libvirt/constants.js';
import { diskDeviceXml } from '../../src/libvirt/xml/device-xml.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { demoDomainXml } from '../../src/libvirt/xml/demo-domain-xml.js';
import { dirPoolXml } from '../../src/libvirt/xml/storage-xml.js';
import { MAX_VOLUMES_PER_STORAGE } from '../../src/domain/storage/storage-decider.js';
import { oneDriveRaidLab } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { uniqueName, tearDownLab } from '../support/libvirt.js';

/*
 * How volumes are attached, on a running TCG machine over the real libvirtd: as many as the
 * controller advertises (a virtio disk each would run out of PCI slots at about 28), on a domain
 * defined before volumes went on SCSI, so its SCSI controller is hot-plugged; and a new volume is
 * never backed by a file some earlier store left in the pool under the same name.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-volume-attach-'));
const poolDir = join(dir, 'pool');
const domainName = uniqueName('attach');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/s1';
const VOLUMES = `${SYSTEM}/Storage/RAID/Volumes`;
const MiB = 1024 * 1024;
const oneMiB = {
  RAIDType: 'RAID0',
  CapacityBytes: MiB,
  Links: { Drives: [{ '@odata.id': `${SYSTEM}/Storage/RAID/Drives/0` }] },
};
let emulator: RunningEmulator;
/** The backing volume of volume `id`: named with this store's tag. */
const backing = (id: string) => backingVolumeName('s1', 'RAID', storeTag(emulator.store), id);
let libvirt: LibvirtClient;

const { request, get } = redfishClient(() => emulator.url);

/** The volume disks of the persistent definition, or of the running machine (flags 0). */
async function volumeDisks(flags: number) {
  const description = readDomainXml(await libvirt.domainGetXml(await libvirt.domainLookupByName(domainName), flags));
  return {
    disks: description.disks.filter((d) => d.device === 'disk'),
    controllers: description.controllers.filter((c) => c.type === 'scsi'),
  };
}

const qemuIo = (command: string, file: string) =>
  execFileSync('qemu-io', ['-U', '-r', '-f', 'qcow2', '-c', command, file], { encoding: 'utf8' });

beforeAll(async () => {
  chmodSync(dir, 0o755);
  mkdirSync(poolDir, { mode: 0o755 });
  libvirt = await LibvirtClient.connect('qemu:///system');
  // A domain defined as before volumes went on SCSI: no SCSI controller.
  await libvirt.domainDefineXml(
    demoDomainXml({ name: domainName, uuid: randomUUID(), memoryMiB: 64, vcpus: 1, mac: '52:54:00:aa:bb:01' }),
  );
  const pool = await libvirt.poolDefineXml(dirPoolXml(poolName, poolDir));
  await libvirt.poolCreate(pool);
  const { config } = oneDriveRaidLab(dir, { domainName, poolName, poolDir });
  emulator = await startEmulator(config, { resyncIntervalMs: 500, settleWaitMs: 60_000 });
  await emulator.lab!.ready;
});

afterAll(async () => {
  await tearDownLab({ emulator, libvirt, domainName, poolName, dir });
});

describe('Volumes attached to a running machine', { timeout: 240_000 }, () => {
  it('backs a new volume with a file made for it, never one left in the pool under its name', async () => {
    const response = await request('POST', VOLUMES, { ...oneMiB, '@Redfish.OperationApplyTime': 'OnReset' });
    expect(response.status).toBe(202);
    const monitor = response.headers.get('location')!;
    const capacity = (await get(`${VOLUMES}/1`))['CapacityBytes'] as number;
    // What an earlier store (a deleted data directory, say) left: volume 1's name and size, with data in it.
    const leftover = join(poolDir, backing('1'));
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', leftover, String(capacity)]);
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0xab 0 64k', leftover]);
    await libvirt.poolRefresh(await libvirt.poolLookupByName(poolName));
    expect(qemuIo('read -P 0xab 0 64k', leftover)).not.toMatch(/verification failed/);

    await request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' });
    await expect.poll(async () => (await request('GET', monitor)).status, { timeout: 60_000, interval: 100 }).toBe(201);
    expect(statSync(leftover).size).toBeGreaterThan(0);
    // Reads as zeros: the old data is gone with the old file.
    expect(qemuIo('read -P 0 0 64k', leftover)).not.toMatch(/verification failed/);
    const volume = await get(`${VOLUMES}/1`);
    expect((await volumeDisks(0)).disks).toEqual([
      expect.objectContaining({
        sourceFile: leftover,
        serial: volume['Identifiers'][0]['DurableName'],
        targetBus: 'scsi',
      }),
    ]);
  });

  it(`takes ${MAX_VOLUMES_PER_STORAGE} volumes live, each on its own SCSI unit, and refuses one more before trying`, async () => {
    expect((await get(SYSTEM))['PowerState']).toBe('On');
    const started = Date.now();
    for (let n = 2; n <= MAX_VOLUMES_PER_STORAGE; n++) {
      const response = await request('POST', VOLUMES, oneMiB);
      expect(response.status, await response.clone().text()).toBe(201);
    }
    const createMs = Date.now() - started;
    for (const flags of [0, DomainXmlFlag.Inactive]) {
      const { disks, controllers } = await volumeDisks(flags);
      // The SCSI controller the domain lacked was added to the machine and its definition.
      expect(controllers).toEqual([expect.objectContaining({ index: 0, model: 'virtio-scsi' })]);
      expect(disks).toHaveLength(MAX_VOLUMES_PER_STORAGE);
      expect(
        disks.every(
          (d) => d.targetBus === 'scsi' && d.driveAddress?.controller === 0 && /^sd[a-z]{2}$/.test(d.targetDev!),
        ),
      ).toBe(true);
      expect(new Set(disks.map((d) => d.driveAddress!.unit)).size).toBe(MAX_VOLUMES_PER_STORAGE);
      expect(new Set(disks.map((d) => d.targetDev)).size).toBe(MAX_VOLUMES_PER_STORAGE);
      expect(new Set(disks.map((d) => d.serial)).size).toBe(MAX_VOLUMES_PER_STORAGE);
    }
    const more = await request('POST', VOLUMES, oneMiB);
    expect(more.status).toBe(400);
    expect(JSON.stringify(await more.json())).toMatch(/CreateLimitReachedForResource/);

    for (let n = 1; n <= MAX_VOLUMES_PER_STORAGE; n++)
      expect((await request('DELETE', `${VOLUMES}/${n}`)).status).toBe(204);
    for (const flags of [0, DomainXmlFlag.Inactive]) expect((await volumeDisks(flags)).disks).toEqual([]);
    const pool = await libvirt.poolLookupByName(poolName);
    await libvirt.poolRefresh(pool);
    expect(await libvirt.poolListVolumes(pool)).toEqual([]);
    console.log(`${MAX_VOLUMES_PER_STORAGE - 1} creates in ${createMs} ms`);
  });

  it('detaches a volume attached as a virtio disk before volumes went on SCSI by its own target', async () => {
    const created = await request('POST', VOLUMES, oneMiB);
    expect(created.status).toBe(201);
    const volume = created.headers.get('location')!;
    const domain = await libvirt.domainLookupByName(domainName);
    const [disk] = (await volumeDisks(DomainXmlFlag.Inactive)).disks;
    // As an earlier version left it: a virtio disk with the volume's serial, in the definition.
    await libvirt.domainDetachDevice(
      domain,
      diskDeviceXml({ sourceFile: disk!.sourceFile!, targetDev: disk!.targetDev!, bus: 'scsi' }),
      DeviceModifyFlag.Config | DeviceModifyFlag.Live,
    );
    await libvirt.domainAttachDevice(
      domain,
      diskDeviceXml({ sourceFile: disk!.sourceFile!, targetDev: 'vdb', serial: disk!.serial! }),
      DeviceModifyFlag.Config,
    );
    expect((await volumeDisks(DomainXmlFlag.Inactive)).disks).toEqual([
      expect.objectContaining({ targetDev: 'vdb', targetBus: 'virtio' }),
    ]);
    expect((await request('DELETE', volume)).status).toBe(204);
    expect((await volumeDisks(DomainXmlFlag.Inactive)).disks).toEqual([]);
  });
});
