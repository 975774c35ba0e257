import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirPoolXml, readPoolXml, readVolumeXml, volumeXml } from '../../src/libvirt/xml/storage-xml.js';
import { cdromDeviceXml, diskDeviceXml, floppyDeviceXml, scsiControllerXml } from '../../src/libvirt/xml/device-xml.js';
import { demoDomainXml, type DemoDomainSpec } from '../../src/libvirt/xml/demo-domain-xml.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { InvalidSpecError } from '../../src/libvirt/xml/spec-checks.js';
import { parseXml, XmlShapeError, type XmlNode } from '../../src/xml.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const root = (xml: string, name: string) => parseXml(xml)[name] as XmlNode;
const GiB = 1024 ** 3;

describe('storage volumes and pools', () => {
  it('writes a sparse qcow2 volume by default, raw on request', () => {
    const volume = root(volumeXml({ name: 'v', capacityBytes: 5 * GiB }), 'volume');
    expect(volume).toEqual({
      name: ['v'],
      capacity: [{ _: String(5 * GiB), $: { unit: 'bytes' } }],
      allocation: [{ _: '0', $: { unit: 'bytes' } }],
      target: [{ format: [{ $: { type: 'qcow2' } }] }],
    });
    expect(readVolumeXml(volumeXml({ name: 'r', capacityBytes: 1, format: 'raw' }))).toMatchObject({
      name: 'r',
      capacityBytes: 1,
      allocationBytes: 0,
      format: 'raw',
    });
  });

  it('refuses sizes and formats libvirt cannot take', () => {
    expect(() => volumeXml({ name: 'v', capacityBytes: -1 })).toThrow(
      /capacityBytes must be a whole number ≥ 0, not -1/,
    );
    expect(() => volumeXml({ name: 'v', capacityBytes: 1.5 })).toThrow(InvalidSpecError);
    expect(() => volumeXml({ name: 'v', capacityBytes: Number.NaN })).toThrow(InvalidSpecError);
    expect(() => volumeXml({ name: 'v', capacityBytes: 1, format: 'vmdk' as 'raw' })).toThrow(
      /format must be one of qcow2, raw/,
    );
    expect(() => volumeXml({ name: '', capacityBytes: 1 })).toThrow(/name must be a non-empty string/);
  });

  it('writes a dir pool', () => {
    expect(dirPoolXml('p', '/srv/pool')).toBe(
      '<pool type="dir">\n  <name>p</name>\n  <target>\n    <path>/srv/pool</path>\n  </target>\n</pool>',
    );
    expect(() => dirPoolXml('p', '')).toThrow(/path must be a non-empty string/);
  });

  it('reads pools and volumes as libvirtd writes them', () => {
    expect(readPoolXml(fixture('dir-pool.xml'))).toEqual({
      name: 'rfe-test-capture-pool',
      uuid: '3e7c6508-c66e-41cb-b16e-4881077d6a7b',
      type: 'dir',
      path: '/tmp/rfe-test-pool-xnAe',
      capacityBytes: 270553174016,
      allocationBytes: 23734702080,
      availableBytes: 246818471936,
    });
    expect(readVolumeXml(fixture('qcow2-volume.xml'))).toEqual({
      name: 'rfe-capture.qcow2',
      type: 'file',
      key: '/tmp/rfe-test-pool-xnAe/rfe-capture.qcow2',
      path: '/tmp/rfe-test-pool-xnAe/rfe-capture.qcow2',
      format: 'qcow2',
      capacityBytes: 64 * 1024 * 1024,
      allocationBytes: 200704,
    });
    expect(readVolumeXml('<volume><name>k</name><capacity unit="KiB">2</capacity></volume>')).toMatchObject({
      capacityBytes: 2048,
      allocationBytes: undefined,
      path: undefined,
    });
    expect(readVolumeXml('<volume><name>b</name><capacity>7</capacity></volume>').capacityBytes).toBe(7);
  });

  it('gives a clear error for what is not a pool or a volume', () => {
    expect(() => readVolumeXml(fixture('dir-pool.xml'))).toThrow(
      /not a libvirt storage volume: the root element is <pool>/,
    );
    expect(() => readPoolXml(fixture('qcow2-volume.xml'))).toThrow(/not a libvirt storage pool/);
    expect(() => readVolumeXml('<volume><name>v</name></volume>')).toThrow(/has no <capacity>/);
    expect(() => readVolumeXml('<volume><capacity>1</capacity></volume>')).toThrow(/without <name>/);
    expect(() => readVolumeXml('<volume><name>v</name><capacity unit="XB">1</capacity></volume>')).toThrow(
      /<capacity>: unknown libvirt size unit/,
    );
    expect(() => readPoolXml('<pool')).toThrow(XmlShapeError);
  });
});

describe('disk devices', () => {
  it("writes a file-backed qcow2 virtio disk with the volume's durable name as serial", () => {
    const disk = root(
      diskDeviceXml({ sourceFile: '/pool/vol-1', targetDev: 'vdb', serial: 'RAID1-VOL-7', bootOrder: 2 }),
      'disk',
    );
    expect(disk).toEqual({
      $: { type: 'file', device: 'disk' },
      driver: [{ $: { name: 'qemu', type: 'qcow2' } }],
      source: [{ $: { file: '/pool/vol-1' } }],
      target: [{ $: { dev: 'vdb', bus: 'virtio' } }],
      serial: ['RAID1-VOL-7'],
      boot: [{ $: { order: '2' } }],
    });
  });

  it('leaves out serial and boot order when not given, and takes the SCSI and SATA buses', () => {
    const disk = root(diskDeviceXml({ sourceFile: '/pool/v', targetDev: 'sdb', bus: 'scsi', format: 'raw' }), 'disk');
    expect(Object.keys(disk).sort()).toEqual(['$', 'driver', 'source', 'target']);
    expect(disk['target']).toEqual([{ $: { dev: 'sdb', bus: 'scsi' } }]);
    expect(disk['driver']).toEqual([{ $: { name: 'qemu', type: 'raw' } }]);
    expect(root(diskDeviceXml({ sourceFile: '/p', targetDev: 'sdc', bus: 'sata' }), 'disk')['target']).toEqual([
      { $: { dev: 'sdc', bus: 'sata' } },
    ]);
  });

  it('places a SCSI disk at an explicit drive address, and writes the virtio-scsi controller it sits on', () => {
    const xml = diskDeviceXml({
      sourceFile: '/pool/v',
      targetDev: 'sdaa',
      bus: 'scsi',
      serial: 'NAA',
      scsiAddress: { controller: 1, unit: 63 },
    });
    expect(root(xml, 'disk')['address']).toEqual([
      { $: { type: 'drive', controller: '1', bus: '0', target: '0', unit: '63' } },
    ]);
    expect(
      readDomainXml(
        `<domain><name>d</name><uuid>u</uuid><memory>1</memory><devices>${xml}${scsiControllerXml(1)}</devices></domain>`,
      ),
    ).toMatchObject({
      disks: [
        {
          targetDev: 'sdaa',
          targetBus: 'scsi',
          serial: 'NAA',
          driveAddress: { controller: 1, bus: 0, target: 0, unit: 63 },
        },
      ],
      controllers: [{ type: 'scsi', index: 1, model: 'virtio-scsi' }],
    });
    expect(() =>
      diskDeviceXml({ sourceFile: '/p', targetDev: 'sdaa', bus: 'scsi', scsiAddress: { controller: 0, unit: -1 } }),
    ).toThrow(/scsiAddress.unit must be a whole number ≥ 0/);
  });

  it('refuses buses, targets and boot orders libvirt cannot take', () => {
    expect(() => diskDeviceXml({ sourceFile: '/p', targetDev: 'vdb', bus: 'ide' as 'sata' })).toThrow(
      /bus must be one of virtio, scsi, sata/,
    );
    expect(() => diskDeviceXml({ sourceFile: '/p', targetDev: 'vd b' })).toThrow(/targetDev must be a device name/);
    expect(() => diskDeviceXml({ sourceFile: '/p', targetDev: 'vdb', bootOrder: 0 })).toThrow(
      /bootOrder must be a whole number ≥ 1/,
    );
    expect(() => diskDeviceXml({ sourceFile: '', targetDev: 'vdb' })).toThrow(/sourceFile/);
  });
});

describe('removable drives', () => {
  it('writes a read-only SATA CD-ROM with media, and an empty one (eject)', () => {
    expect(root(cdromDeviceXml({ sourceFile: '/isos/boot.iso', targetDev: 'sda' }), 'disk')).toEqual({
      $: { type: 'file', device: 'cdrom' },
      driver: [{ $: { name: 'qemu', type: 'raw' } }],
      source: [{ $: { file: '/isos/boot.iso' } }],
      target: [{ $: { dev: 'sda', bus: 'sata' } }],
      readonly: [''],
    });
    const empty = root(cdromDeviceXml({ targetDev: 'hdc', bus: 'ide', bootOrder: 1 }), 'disk');
    expect(empty['source']).toBeUndefined();
    expect(empty['target']).toEqual([{ $: { dev: 'hdc', bus: 'ide' } }]);
    expect(empty['readonly']).toEqual(['']);
    expect(empty['boot']).toEqual([{ $: { order: '1' } }]);
  });

  it('writes a floppy on the fdc bus, with or without an image', () => {
    expect(root(floppyDeviceXml({ sourceFile: '/f.img', targetDev: 'fda' }), 'disk')).toMatchObject({
      $: { device: 'floppy' },
      target: [{ $: { dev: 'fda', bus: 'fdc' } }],
      source: [{ $: { file: '/f.img' } }],
    });
    expect(root(floppyDeviceXml({ targetDev: 'fdb' }), 'disk')['source']).toBeUndefined();
  });

  it('refuses a bus the drive cannot sit on', () => {
    expect(() => cdromDeviceXml({ targetDev: 'fda', bus: 'fdc' })).toThrow(/bus must be one of sata, ide, scsi, usb/);
    expect(() => floppyDeviceXml({ targetDev: 'sda', bus: 'sata' })).toThrow(/bus must be one of fdc/);
  });
});

describe('the demo domain', () => {
  const spec: DemoDomainSpec = {
    name: 'lab-1',
    uuid: '00000000-0000-4000-8000-000000000001',
    memoryMiB: 128,
    vcpus: 2,
    mac: '52:54:00:00:00:01',
  };

  it('is a small TCG machine on i440fx with a user-mode NIC, no graphics and a serial console', () => {
    const xml = demoDomainXml(spec);
    expect(readDomainXml(xml)).toMatchObject({
      name: 'lab-1',
      uuid: spec.uuid,
      hypervisor: 'qemu',
      memoryBytes: 128 * 1024 * 1024,
      vcpus: 2,
      osType: 'hvm',
      arch: 'x86_64',
      machine: 'pc',
      firmware: 'BIOS',
      bootDevices: ['hd', 'network'],
      nics: [{ type: 'user', mac: '52:54:00:00:00:01', model: 'virtio' }],
      disks: [
        expect.objectContaining({
          device: 'cdrom',
          targetDev: 'sda',
          targetBus: 'sata',
          readOnly: true,
          sourceFile: undefined,
        }),
        expect.objectContaining({ device: 'floppy', targetDev: 'fda', targetBus: 'fdc', sourceFile: undefined }),
      ],
    });
    const domain = root(xml, 'domain');
    expect(domain['features']).toEqual([{ acpi: [''], apic: [''] }]);
    const devices = (domain['devices'] as XmlNode[])[0]!;
    expect(devices['emulator']).toEqual(['/usr/bin/qemu-system-x86_64']);
    expect(devices['graphics']).toBeUndefined();
    expect(devices['serial']).toEqual([{ $: { type: 'pty' }, target: [{ $: { port: '0' } }] }]);
    expect(devices['console']).toEqual([{ $: { type: 'pty' }, target: [{ $: { type: 'serial', port: '0' } }] }]);
    expect(xml).not.toMatch(/network=|<source/);
    expect(readDomainXml(xml).controllers).toEqual([]);
  });

  it('defines a virtio-scsi controller per storage controller, for its volumes', () => {
    expect(readDomainXml(demoDomainXml({ ...spec, scsiControllers: 2 })).controllers).toEqual([
      { type: 'scsi', index: 0, model: 'virtio-scsi' },
      { type: 'scsi', index: 1, model: 'virtio-scsi' },
    ]);
  });

  it('takes UEFI, a boot order and no console', () => {
    const xml = demoDomainXml({ ...spec, firmware: 'UEFI', bootDevices: ['cdrom', 'network'], serialConsole: 'none' });
    expect(readDomainXml(xml)).toMatchObject({ firmware: 'UEFI', bootDevices: ['cdrom', 'network'] });
    expect(xml).not.toMatch(/<serial|<console/);
  });

  it('plugs its NIC into a libvirt network or a bridge, and puts a root disk first on virtio', () => {
    expect(readDomainXml(demoDomainXml({ ...spec, network: { type: 'network', name: 'default' } })).nics).toEqual([
      expect.objectContaining({ type: 'network', sourceNetwork: 'default', mac: spec.mac, model: 'virtio' }),
    ]);
    expect(readDomainXml(demoDomainXml({ ...spec, network: { type: 'bridge', name: 'br0' } })).nics).toEqual([
      expect.objectContaining({ type: 'bridge', sourceBridge: 'br0', mac: spec.mac }),
    ]);
    const disks = readDomainXml(demoDomainXml({ ...spec, rootDiskFile: '/pool/lab-1-root.qcow2' })).disks;
    expect(disks[0]).toEqual(
      expect.objectContaining({
        device: 'disk',
        sourceFile: '/pool/lab-1-root.qcow2',
        targetDev: 'vda',
        targetBus: 'virtio',
      }),
    );
    expect(disks.map((d) => d.device)).toEqual(['disk', 'cdrom', 'floppy']);
  });

  it('refuses what libvirt would refuse, naming the field', () => {
    expect(() => demoDomainXml({ ...spec, network: { type: 'bridge', name: '' } })).toThrow(
      /network.name must be a non-empty string/,
    );
    expect(() => demoDomainXml({ ...spec, network: { type: 'vde' } as unknown as DemoDomainSpec['network'] })).toThrow(
      /network.type must be one of user, network, bridge/,
    );
    expect(() => demoDomainXml({ ...spec, uuid: 'not-a-uuid' })).toThrow(/uuid must be a UUID/);
    expect(() => demoDomainXml({ ...spec, mac: '52:54:00:00:00' })).toThrow(/mac must be a MAC address/);
    expect(() => demoDomainXml({ ...spec, memoryMiB: 0 })).toThrow(/memoryMiB must be a whole number ≥ 1/);
    expect(() => demoDomainXml({ ...spec, vcpus: 1.5 })).toThrow(/vcpus/);
    expect(() => demoDomainXml({ ...spec, bootDevices: ['pxe' as 'network'] })).toThrow(/boot device 1/);
    expect(() => demoDomainXml({ ...spec, firmware: 'EFI' as 'UEFI' })).toThrow(/firmware must be one of BIOS, UEFI/);
    expect(() => demoDomainXml({ ...spec, serialConsole: 'tcp' as 'pty' })).toThrow(/serialConsole/);
    expect(() => demoDomainXml({ ...spec, name: '' })).toThrow(/name must be a non-empty string/);
  });
});
