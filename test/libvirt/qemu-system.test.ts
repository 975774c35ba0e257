import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { LibvirtClient, type DomainEvent } from '../../src/libvirt/client.js';
import { DeviceModifyFlag, DomainXmlFlag, StoragePoolState } from '../../src/libvirt/constants.js';
import { LibvirtError } from '../../src/libvirt/errors.js';
import { volumeXml } from '../../src/libvirt/xml/storage-xml.js';
import { cdromDeviceXml, diskDeviceXml } from '../../src/libvirt/xml/device-xml.js';
import { demoDomainXml } from '../../src/libvirt/xml/demo-domain-xml.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { createTempPool, removeDomain, uniqueName } from '../support/libvirt.js';
import { eventually } from '../support/eventually.js';

let client: LibvirtClient;
let temp: Awaited<ReturnType<typeof createTempPool>>;

beforeAll(async () => {
  client = await LibvirtClient.connect('qemu:///system');
  temp = await createTempPool(client);
});
afterAll(async () => {
  await temp?.remove();
  await client?.close();
});

const MiB = 1024 * 1024;

describe('storage on qemu:///system', () => {
  it('creates, reads, resizes, finds and deletes a sparse qcow2 volume in a dir pool', async () => {
    const { pool, path } = temp;
    expect((await client.poolGetInfo(pool)).state).toBe(StoragePoolState.Running);
    expect((await client.listAllStoragePools()).map((p) => p.name)).toContain(pool.name);
    expect((await client.poolLookupByName(pool.name)).uuid).toEqual(pool.uuid);
    expect((await client.poolLookupByUuid(pool.uuid)).name).toBe(pool.name);
    expect(await client.poolGetXml(pool)).toContain(`<path>${path}</path>`);

    const name = 'vol-a.qcow2';
    const volume = await client.volumeCreateXml(pool, volumeXml({ name, capacityBytes: 64 * MiB }));
    expect(volume).toEqual({ pool: pool.name, name, key: `${path}/${name}` });
    const info = await client.volumeGetInfo(volume);
    expect(info.capacity).toBe(BigInt(64 * MiB));
    expect(info.allocation).toBeLessThan(BigInt(MiB));
    expect(await client.volumeGetPath(volume)).toBe(`${path}/${name}`);
    expect(await client.volumeGetXml(volume)).toContain("<format type='qcow2'/>");

    const exists = await client.volumeCreateXml(pool, volumeXml({ name, capacityBytes: MiB })).catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(LibvirtError);
    expect(exists).toMatchObject({ isStorageVolumeExists: true });

    await client.volumeResize(volume, BigInt(128 * MiB));
    expect((await client.volumeGetInfo(volume)).capacity).toBe(BigInt(128 * MiB));
    const imageInfo = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', '-U', `${path}/${name}`], { encoding: 'utf8' }),
    ) as { 'virtual-size': number; format: string };
    expect(imageInfo).toMatchObject({ 'virtual-size': 128 * MiB, format: 'qcow2' });

    expect((await client.volumeLookupByName(pool, name)).key).toBe(volume.key);
    expect((await client.volumeLookupByPath(`${path}/${name}`)).name).toBe(name);
    expect((await client.volumeLookupByKey(volume.key)).name).toBe(name);
    expect((await client.poolLookupByVolume(volume)).name).toBe(pool.name);
    expect((await client.poolListVolumes(pool)).map((v) => v.name)).toEqual([name]);

    await client.volumeDelete(volume);
    const gone = await client.volumeLookupByName(pool, name).catch((e: unknown) => e);
    expect(gone).toMatchObject({ isNoStorageVolume: true });
    await client.poolRefresh(pool);
    expect(await client.poolListVolumes(pool)).toEqual([]);
  });
});

describe('domains and devices on qemu:///system (TCG)', () => {
  it('hot-plugs and unplugs a disk on a running domain, changes CD-ROM media, and sees one event per action', async () => {
    const name = uniqueName('dom');
    const events: DomainEvent[] = [];
    const stopEvents = await client.onDomainEvent((e) => {
      if (e.domain.name === name) events.push(e);
    });
    const lifecycle = () =>
      events.filter((e) => e.kind === 'lifecycle').map((e) => (e.kind === 'lifecycle' ? e.eventName : ''));
    let domain = await client.domainDefineXml(
      demoDomainXml({ name, uuid: randomUUID(), memoryMiB: 64, vcpus: 1, mac: '52:54:00:12:34:56' }),
    );
    try {
      await eventually(() => lifecycle().includes('Defined'), 'the Defined event');
      domain = await client.domainCreate(domain);
      await eventually(() => lifecycle().includes('Started'), 'the Started event');
      expect((await client.domainGetState(domain)).stateName).toBe('Running');

      const volume = await client.volumeCreateXml(
        temp.pool,
        volumeXml({ name: `${name}-disk.qcow2`, capacityBytes: 32 * MiB }),
      );
      const disk = diskDeviceXml({ sourceFile: volume.key, targetDev: 'vdb', serial: 'RFE-VOLUME-0001' });
      await client.domainAttachDevice(domain, disk, DeviceModifyFlag.Live | DeviceModifyFlag.Config);
      const live = readDomainXml(await client.domainGetXml(domain));
      expect(live.disks.find((d) => d.targetDev === 'vdb')).toMatchObject({
        sourceFile: volume.key,
        serial: 'RFE-VOLUME-0001',
        device: 'disk',
      });
      const persistent = readDomainXml(await client.domainGetXml(domain, DomainXmlFlag.Inactive));
      expect(persistent.disks.map((d) => d.targetDev)).toContain('vdb');

      const image = `${temp.path}/media.iso`;
      execFileSync('qemu-img', ['create', '-f', 'raw', image, '1M'], { stdio: 'ignore' });
      await client.domainUpdateDevice(
        domain,
        cdromDeviceXml({ sourceFile: image, targetDev: 'sda' }),
        DeviceModifyFlag.Config,
      );
      expect(
        readDomainXml(await client.domainGetXml(domain, DomainXmlFlag.Inactive)).disks.find((d) => d.device === 'cdrom')
          ?.sourceFile,
      ).toBe(image);
      await client.domainUpdateDevice(domain, cdromDeviceXml({ targetDev: 'sda' }), DeviceModifyFlag.Config);
      expect(
        readDomainXml(await client.domainGetXml(domain, DomainXmlFlag.Inactive)).disks.find((d) => d.device === 'cdrom')
          ?.sourceFile,
      ).toBeUndefined();

      await client.domainDetachDevice(domain, disk, DeviceModifyFlag.Config);
      expect(
        readDomainXml(await client.domainGetXml(domain, DomainXmlFlag.Inactive)).disks.map((d) => d.targetDev),
      ).not.toContain('vdb');

      await client.domainReset(domain);
      await eventually(() => events.some((e) => e.kind === 'reboot'), 'the reboot event');

      await client.domainDestroy(domain);
      await eventually(() => lifecycle().includes('Stopped'), 'the Stopped event');
      const live_on_stopped = await client
        .domainAttachDevice(domain, disk, DeviceModifyFlag.Live)
        .catch((e: unknown) => e);
      expect(live_on_stopped).toMatchObject({ isOperationInvalid: true });

      await client.domainUndefine(domain);
      await eventually(() => lifecycle().includes('Undefined'), 'the Undefined event');
      // One lifecycle event per action, in order. QEMU reports Resumed before Started; on destroy
      // it reports Shutdown before Stopped only when it saw the signal before it died, so that
      // one may be missing. The persistent edits each report Defined.
      expect(lifecycle().filter((e) => e !== 'Defined' && e !== 'Shutdown')).toEqual([
        'Resumed',
        'Started',
        'Stopped',
        'Undefined',
      ]);
      expect(lifecycle().filter((e) => e === 'Shutdown').length).toBeLessThanOrEqual(1);
    } finally {
      await removeDomain(client, domain);
      await stopEvents();
    }
  });
});
