import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { withSettings, SETTINGS_NAMESPACE } from '../../src/libvirt/xml/settings-metadata.js';
import { withBootOrder } from '../../src/libvirt/xml/boot-order.js';
import { volumeXml, dirPoolXml } from '../../src/libvirt/xml/storage-xml.js';
import { cdromDeviceXml, diskDeviceXml, floppyDeviceXml } from '../../src/libvirt/xml/device-xml.js';
import { demoDomainXml } from '../../src/libvirt/xml/demo-domain-xml.js';
import { toBytes, fromBytes } from '../../src/libvirt/xml/units.js';
import { parseXml, XmlShapeError } from '../../src/xml.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const HOSTILE = `a"/><x y='1'>&amp;]]><!--`;

describe('reading domain XML', () => {
  it('reads the test driver\'s domain as libvirtd writes it', () => {
    const domain = readDomainXml(fixture('test-driver-domain.xml'));
    expect(domain).toMatchObject({
      name: 'test',
      uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f',
      hypervisor: 'test',
      memoryBytes: 8388608 * 1024,
      currentMemoryBytes: 2097152 * 1024,
      vcpus: 2,
      arch: 'i686',
      firmware: 'BIOS',
      secureBoot: false,
      bootDevices: ['hd'],
    });
    expect(domain.disks).toEqual([expect.objectContaining({ device: 'disk', sourceFile: '/guest/diskimage1', targetDev: 'vda', targetBus: 'virtio', readOnly: false })]);
    expect(domain.nics).toEqual([expect.objectContaining({ type: 'network', mac: 'aa:bb:cc:dd:ee:ff', sourceNetwork: 'default' })]);
    expect(domain.settings).toBeUndefined();
  });

  it('reads a UEFI QEMU domain with its disks, CD-ROM, serial and NIC', () => {
    const domain = readDomainXml(fixture('qemu-uefi-domain.xml'));
    expect(domain).toMatchObject({ firmware: 'UEFI', machine: 'pc-i440fx-7.2', memoryBytes: 128 * 1024 * 1024, bootDevices: ['network', 'hd'] });
    expect(domain.disks.map((d) => [d.device, d.targetDev, d.serial, d.readOnly])).toEqual([
      ['disk', 'vda', 'VOL-1', false],
      ['cdrom', 'sda', undefined, true],
    ]);
    expect(domain.nics[0]).toMatchObject({ mac: '52:54:00:0a:0b:0c', model: 'virtio' });
  });

  it('refuses what is not a domain, and what is not XML', () => {
    expect(() => readDomainXml('<pool type="dir"><name>x</name></pool>')).toThrow(XmlShapeError);
    expect(() => readDomainXml('<domain><name>x</name>')).toThrow(/not well-formed/);
    expect(() => readDomainXml('<domain type="qemu"><memory>1</memory></domain>')).toThrow(/without <name> or <uuid>/);
  });
});

describe('writing XML', () => {
  it('escapes every value, so a hostile name stays a value', () => {
    const volume = parseXml(volumeXml({ name: HOSTILE, capacityBytes: 1024 }))['volume']!;
    expect(volume['name']).toEqual([HOSTILE]);
    expect(Object.keys(volume).sort()).toEqual(['allocation', 'capacity', 'name', 'target']);

    const disk = parseXml(diskDeviceXml({ sourceFile: `/p/${HOSTILE}`, targetDev: 'vdb', serial: HOSTILE }))['disk']!;
    expect((disk['source'] as { $: Record<string, string> }[])[0]!.$).toEqual({ file: `/p/${HOSTILE}` });
    expect(disk['serial']).toEqual([HOSTILE]);
    expect(Object.keys(disk).sort()).toEqual(['$', 'driver', 'serial', 'source', 'target']);

    const domain = readDomainXml(demoDomainXml({ name: HOSTILE, uuid: '00000000-0000-4000-8000-000000000001', memoryMiB: 64, vcpus: 1, mac: '52:54:00:00:00:01' }));
    expect(domain.name).toBe(HOSTILE);
    expect(domain.disks).toHaveLength(1);
  });

  it('writes a sparse qcow2 volume and a dir pool', () => {
    const volume = parseXml(volumeXml({ name: 'v', capacityBytes: 5 * 1024 ** 3 }))['volume']!;
    expect(volume['capacity']).toEqual([{ _: String(5 * 1024 ** 3), $: { unit: 'bytes' } }]);
    expect(volume['allocation']).toEqual([{ _: '0', $: { unit: 'bytes' } }]);
    expect(volumeXml({ name: 'r', capacityBytes: 1, format: 'raw' })).toContain('<format type="raw"/>');
    expect(dirPoolXml('p', '/srv/pool')).toBe('<pool type="dir">\n  <name>p</name>\n  <target>\n    <path>/srv/pool</path>\n  </target>\n</pool>');
  });

  it('writes CD-ROM and floppy drives with or without media', () => {
    const inserted = parseXml(cdromDeviceXml({ sourceFile: '/isos/boot.iso', targetDev: 'sda' }))['disk']!;
    expect(inserted.$).toEqual({ type: 'file', device: 'cdrom' });
    expect(Object.keys(inserted)).toContain('readonly');
    expect(cdromDeviceXml({ targetDev: 'sda' })).not.toContain('<source');
    expect(floppyDeviceXml({ sourceFile: '/f.img', targetDev: 'fda' })).toContain('bus="fdc"');
  });

  it('writes a UEFI demo domain that reads back as UEFI', () => {
    const xml = demoDomainXml({ name: 'u', uuid: '00000000-0000-4000-8000-000000000002', memoryMiB: 128, vcpus: 2, mac: '52:54:00:00:00:02', firmware: 'UEFI', bootDevices: ['cdrom'] });
    expect(readDomainXml(xml)).toMatchObject({ firmware: 'UEFI', vcpus: 2, memoryBytes: 128 * 1024 * 1024, bootDevices: ['cdrom'] });
  });
});

describe('editing a domain', () => {
  it('stores the emulator\'s settings in metadata, replacing its own and keeping everything else', () => {
    const withOther = fixture('test-driver-domain.xml').replace(
      '</domain>',
      '<metadata><other:thing xmlns:other="urn:someone-else">keep me</other:thing></metadata></domain>',
    );
    const first = withSettings(withOther, { biosAttributes: { BootMode: 'Uefi', Cores: 4, HyperThreading: true } });
    const second = withSettings(first, { biosAttributes: { BootMode: 'Bios' }, bootOverride: { target: 'Pxe', enabled: 'Once', mode: 'Legacy' } });
    const domain = readDomainXml(second);
    expect(domain.settings).toEqual({ biosAttributes: { BootMode: 'Bios' }, bootOverride: { target: 'Pxe', enabled: 'Once', mode: 'Legacy' } });
    expect(second.match(new RegExp(SETTINGS_NAMESPACE, 'g'))).toHaveLength(1);
    expect(second).toContain('keep me');
    expect(domain.disks).toEqual(readDomainXml(withOther).disks);
    expect(domain.nics).toEqual(readDomainXml(withOther).nics);
  });

  it('sets the boot order and removes per-device boot orders that libvirt refuses beside it', () => {
    const perDevice = demoDomainXml({ name: 'b', uuid: '00000000-0000-4000-8000-000000000003', memoryMiB: 64, vcpus: 1, mac: '52:54:00:00:00:03' })
      .replace('<boot dev="hd"/>', '')
      .replace('<boot dev="network"/>', '')
      .replace('<readonly/>', '<readonly/><boot order="1"/>');
    expect(readDomainXml(perDevice).disks[0]!.bootOrder).toBe(1);
    const edited = readDomainXml(withBootOrder(perDevice, ['cdrom', 'network']));
    expect(edited.bootDevices).toEqual(['cdrom', 'network']);
    expect(edited.disks[0]!.bootOrder).toBeUndefined();
  });
});

describe('units', () => {
  it('converts libvirt\'s units to bytes and back', () => {
    expect(toBytes('1', undefined)).toBe(1024);
    expect(toBytes('2', 'MiB')).toBe(2 * 1024 ** 2);
    expect(toBytes('3', 'G')).toBe(3 * 1024 ** 3);
    expect(toBytes('1', 'GB')).toBe(1e9);
    expect(toBytes('7', 'bytes')).toBe(7);
    expect(toBytes('5', 'b')).toBe(5);
    expect(fromBytes(3 * 1024 ** 2 + 5, 'MiB')).toBe(3);
    expect(() => toBytes('1', 'parsecs')).toThrow(/unknown libvirt size unit/);
    expect(() => toBytes('-1', 'KiB')).toThrow(/not a size/);
  });
});
