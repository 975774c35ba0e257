import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { SimulatedHypervisor } from '../../src/libvirt/simulated-hypervisor.js';
import { keptSimulatedHypervisor, readSimulatedState } from '../../src/libvirt/simulated-state-file.js';
import { DeviceModifyFlag, DomainState, DomainXmlFlag } from '../../src/libvirt/constants.js';
import { LibvirtError } from '../../src/libvirt/errors.js';
import { demoDomainXml } from '../../src/libvirt/xml/demo-domain-xml.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { cdromDeviceXml, diskDeviceXml } from '../../src/libvirt/xml/device-xml.js';
import { dirPoolXml, volumeXml } from '../../src/libvirt/xml/storage-xml.js';
import type { DomainEvent } from '../../src/libvirt/libvirt-connection.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const UUID = '2f1c6a52-9d1e-5b7a-8c3d-4e5f60718293';
const machine = (name = 'm1') =>
  demoDomainXml({ name, uuid: UUID, memoryMiB: 256, vcpus: 2, mac: '02:00:00:00:00:01' });

async function refusal(call: Promise<unknown>): Promise<LibvirtError> {
  const error = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(LibvirtError);
  return error as LibvirtError;
}

describe('the simulated host', () => {
  it('defines, looks up and refuses as libvirt does, with its error codes', async () => {
    const host = new SimulatedHypervisor();
    const domain = await host.domainDefineXml(machine());
    expect(await host.domainLookupByName('m1')).toEqual(domain);
    expect(readDomainXml(await host.domainGetXml(domain)).uuid).toBe(UUID);
    expect((await refusal(host.domainLookupByName('other'))).isNoDomain).toBe(true);
    expect((await refusal(host.domainDestroy(domain))).isOperationInvalid).toBe(true);
    // Another name with the same UUID is another domain.
    expect(await refusal(host.domainDefineXml(machine('m2')))).toBeInstanceOf(LibvirtError);
    expect((await refusal(host.poolLookupByName('nope'))).isNoStoragePool).toBe(true);
  });

  it('powers a domain after its delay, starting up meanwhile, and says so with lifecycle events', async () => {
    const host = new SimulatedHypervisor({ powerDelayMs: () => 150 });
    const events: DomainEvent[] = [];
    await host.onDomainEvent((e) => events.push(e));
    const domain = await host.domainDefineXml(machine());
    await host.domainCreate(domain);
    expect(await host.domainGetState(domain)).toMatchObject({ state: DomainState.Paused, reason: 11 });
    expect(await host.domainIsActive(domain)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await host.domainGetState(domain)).state).toBe(DomainState.Running);
    await host.domainShutdown(domain);
    expect((await host.domainGetState(domain)).state).toBe(DomainState.Shutdown);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await host.domainGetState(domain)).state).toBe(DomainState.Shutoff);
    expect(events.map((e) => (e.kind === 'lifecycle' ? e.eventName : e.kind))).toEqual([
      'Defined',
      'Started',
      'Shutdown',
      'Stopped',
    ]);
  });

  it('edits the stored XML for device changes: the definition, the running machine, or both', async () => {
    const host = new SimulatedHypervisor();
    const domain = await host.domainDefineXml(machine());
    const disk = diskDeviceXml({ sourceFile: '/pool/v1', targetDev: 'sdb', bus: 'scsi', serial: 'S1' });
    const disks = async (flags: number) =>
      readDomainXml(await host.domainGetXml(domain, flags)).disks.filter((d) => d.device === 'disk');
    // Live needs a running machine.
    expect((await refusal(host.domainAttachDevice(domain, disk, DeviceModifyFlag.Live))).isOperationInvalid).toBe(true);
    await host.domainAttachDevice(domain, disk, DeviceModifyFlag.Config);
    expect((await disks(DomainXmlFlag.Inactive)).map((d) => [d.targetDev, d.serial])).toEqual([['sdb', 'S1']]);
    // The same target twice is refused, and changes nothing.
    await refusal(host.domainAttachDevice(domain, disk, DeviceModifyFlag.Config));
    expect(await disks(DomainXmlFlag.Inactive)).toHaveLength(1);

    await host.domainCreate(domain);
    const image = cdromDeviceXml({ sourceFile: 'http://images.example/x.iso', targetDev: 'sda', bus: 'sata' });
    await host.domainUpdateDevice(domain, image, DeviceModifyFlag.Live);
    const cd = async (flags: number) =>
      readDomainXml(await host.domainGetXml(domain, flags)).disks.find((d) => d.device === 'cdrom')?.sourceFile;
    expect(await cd(0)).toBe('http://images.example/x.iso');
    expect(await cd(DomainXmlFlag.Inactive)).toBeUndefined();

    await host.domainDetachDevice(domain, disk, DeviceModifyFlag.Config | DeviceModifyFlag.Live);
    await refusal(host.domainDetachDevice(domain, disk, DeviceModifyFlag.Config));
    expect(await disks(DomainXmlFlag.Inactive)).toEqual([]);
  });

  it('keeps pools and volumes without files', async () => {
    const dir = tempDir();
    const host = new SimulatedHypervisor();
    const pool = await host.poolDefineXml(dirPoolXml('p', join(dir, 'p')));
    expect(
      (await refusal(host.volumeCreateXml(pool, volumeXml({ name: 'v', capacityBytes: 2 ** 30 })))).isOperationInvalid,
    ).toBe(true);
    await host.poolCreate(pool);
    const volume = await host.volumeCreateXml(pool, volumeXml({ name: 'v', capacityBytes: 2 ** 30 }));
    expect(
      (await refusal(host.volumeCreateXml(pool, volumeXml({ name: 'v', capacityBytes: 1 })))).isStorageVolumeExists,
    ).toBe(true);
    const path = await host.volumeGetPath(volume);
    expect(path).toBe(join(dir, 'p', 'v'));
    expect(existsSync(path)).toBe(false);
    expect(await host.volumeLookupByPath(path)).toEqual(volume);
    expect((await host.volumeGetInfo(volume)).capacity).toBe(2n ** 30n);
    await host.volumeDelete(volume);
    expect((await refusal(host.volumeLookupByName(pool, 'v'))).isNoStorageVolume).toBe(true);
  });

  it('keeps its machines in a file between starts, a running one running', async () => {
    const file = join(tempDir(), 'simulated-host.json');
    const first = keptSimulatedHypervisor(file, {});
    const domain = await first.domainDefineXml(machine());
    await first.domainCreate(domain);
    const pool = await first.poolDefineXml(dirPoolXml('p', '/nowhere/p'));
    await first.poolCreate(pool);
    await first.volumeCreateXml(pool, volumeXml({ name: 'v', capacityBytes: 4096 }));
    await first.close();

    const second = keptSimulatedHypervisor(file, {});
    const again = await second.domainLookupByName('m1');
    expect(again.uuid).toEqual(domain.uuid);
    expect((await second.domainGetState(again)).state).toBe(DomainState.Running);
    expect((await second.poolListVolumes(await second.poolLookupByName('p'))).map((v) => v.name)).toEqual(['v']);

    // One opened only to read (a replay's inventory of the live lab) does not write its stale copy over the live one's.
    const reader = keptSimulatedHypervisor(file, {});
    await second.domainDestroy(again);
    await second.close();
    expect((await reader.listAllDomains()).map((d) => d.name)).toEqual(['m1']);
    await reader.close();
    expect(readSimulatedState(file)!.domains[0]!.running).toBe(false);
  });

  it('fails a scripted call once, and holds another until it is released', async () => {
    const host = new SimulatedHypervisor();
    const domain = await host.domainDefineXml(machine());
    host.scripted.failNext('domainCreate', new Error('scripted'));
    await expect(host.domainCreate(domain)).rejects.toThrow('scripted');
    const held = host.scripted.holdNext('domainDestroy');
    await host.domainCreate(domain);
    let done = false;
    const destroy = host.domainDestroy(domain).then(() => (done = true));
    await held.reached;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    expect(await host.domainIsActive(domain)).toBe(true);
    held.release();
    await destroy;
    expect(await host.domainIsActive(domain)).toBe(false);
  });
});
