import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { XmlShapeError } from '../../src/xml.js';

// Every fixture is libvirtd's own output (virsh dumpxml), captured from libvirt 9.0.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const KiB = 1024;
const MiB = 1024 * KiB;

describe('reading domain XML as libvirtd writes it', () => {
  it("reads the test driver's domain", () => {
    const domain = readDomainXml(fixture('test-driver-domain.xml'));
    expect(domain).toMatchObject({
      name: 'test',
      uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f',
      hypervisor: 'test',
      memoryBytes: 8388608 * KiB,
      currentMemoryBytes: 2097152 * KiB,
      vcpus: 2,
      osType: 'hvm',
      arch: 'i686',
      firmware: 'BIOS',
      secureBoot: false,
      bootDevices: ['hd'],
      perDeviceBoot: [],
    });
    expect(domain.machine).toBeUndefined();
    expect(domain.disks).toEqual([
      expect.objectContaining({
        device: 'disk',
        type: 'file',
        sourceFile: '/guest/diskimage1',
        targetDev: 'vda',
        targetBus: 'virtio',
        readOnly: false,
      }),
    ]);
    expect(domain.disks[0]!.driverType).toBeUndefined();
    expect(domain.nics).toEqual([
      expect.objectContaining({ type: 'network', mac: 'aa:bb:cc:dd:ee:ff', sourceNetwork: 'default' }),
    ]);
    expect(domain.settings).toBeUndefined();
  });

  it('reads every kind of disk and NIC, and per-device boot orders', () => {
    const domain = readDomainXml(fixture('qemu-bios-devices.xml'));
    expect(domain).toMatchObject({
      hypervisor: 'qemu',
      memoryBytes: 96 * MiB,
      currentMemoryBytes: 64 * MiB,
      vcpus: 1,
      machine: 'pc-i440fx-7.2',
      arch: 'x86_64',
      firmware: 'BIOS',
      secureBoot: false,
      bootDevices: [],
    });
    expect(domain.disks).toEqual(
      [
        {
          device: 'disk',
          type: 'file',
          driverName: 'qemu',
          driverType: 'qcow2',
          sourceFile: '/var/lib/libvirt/images/rfe-test-a.qcow2',
          targetDev: 'vda',
          targetBus: 'virtio',
          serial: 'VOL-A',
          readOnly: false,
          bootOrder: 2,
        },
        {
          device: 'disk',
          type: 'volume',
          driverName: 'qemu',
          driverType: 'raw',
          sourcePool: 'rfe-pool',
          sourceVolume: 'vol-b',
          targetDev: 'sdb',
          targetBus: 'scsi',
          readOnly: false,
        },
        {
          device: 'lun',
          type: 'block',
          driverName: 'qemu',
          driverType: 'raw',
          sourceDevice: '/dev/rfe-nonexistent',
          targetDev: 'sdc',
          targetBus: 'scsi',
          readOnly: false,
        },
        {
          device: 'cdrom',
          type: 'file',
          driverName: 'qemu',
          driverType: 'raw',
          sourceFile: '/var/lib/libvirt/images/boot.iso',
          targetDev: 'sda',
          targetBus: 'sata',
          readOnly: true,
          bootOrder: 1,
        },
        {
          device: 'floppy',
          type: 'file',
          driverName: 'qemu',
          driverType: 'raw',
          targetDev: 'fda',
          targetBus: 'fdc',
          readOnly: false,
        },
      ].map((d) => expect.objectContaining(d)),
    );
    // Absent parts are undefined, not empty strings.
    expect(domain.disks[1]).toMatchObject({
      sourceFile: undefined,
      serial: undefined,
      bootOrder: undefined,
      alias: undefined,
    });
    expect(domain.nics).toEqual([
      expect.objectContaining({
        type: 'user',
        mac: '52:54:00:aa:bb:01',
        model: 'e1000',
        bootOrder: 3,
        sourceNetwork: undefined,
      }),
      expect.objectContaining({
        type: 'bridge',
        mac: '52:54:00:aa:bb:02',
        model: 'virtio',
        sourceBridge: 'br-rfe',
        bootOrder: undefined,
      }),
    ]);
    expect(domain.perDeviceBoot).toEqual([
      { order: 1, device: 'cdrom', targetDev: 'sda' },
      { order: 2, device: 'hd', targetDev: 'vda' },
      { order: 3, device: 'network', mac: '52:54:00:aa:bb:01' },
    ]);
  });

  it('reads a UEFI domain whose OVMF loader libvirt chose when it started', () => {
    const domain = readDomainXml(fixture('qemu-uefi-domain.xml'));
    expect(domain).toMatchObject({
      firmware: 'UEFI',
      secureBoot: false,
      machine: 'pc-i440fx-7.2',
      memoryBytes: 128 * MiB,
      bootDevices: ['network', 'hd'],
    });
    expect(domain.disks.map((d) => [d.device, d.targetDev, d.serial, d.readOnly])).toEqual([
      ['disk', 'vda', 'VOL-1', false],
      ['cdrom', 'sda', undefined, true],
    ]);
  });

  it("reads Secure Boot asked for by firmware feature, and the emulator's metadata beside someone else's", () => {
    const domain = readDomainXml(fixture('qemu-uefi-secure-metadata.xml'));
    expect(domain).toMatchObject({
      firmware: 'UEFI',
      secureBoot: true,
      machine: 'pc-q35-7.2',
      memoryBytes: 1024 * MiB,
      vcpus: 2,
      bootDevices: ['cdrom', 'hd'],
    });
    expect(domain.nics[0]).toMatchObject({ type: 'network', sourceNetwork: 'rfe-net' });
    expect(domain.settings).toEqual({
      biosAttributes: { ProcTurboMode: 'Enabled', BootRetryCount: 3, SecureBoot: true },
      pendingBiosAttributes: { ProcTurboMode: 'Disabled' },
      bootOverride: { target: 'Cd', enabled: 'Once', mode: 'UEFI' },
    });
  });

  it("reads a running domain's live XML with device aliases and a pool volume", () => {
    const domain = readDomainXml(fixture('qemu-running-domain.xml'));
    expect(domain.disks.map((d) => [d.alias, d.type, d.sourcePool, d.sourceVolume, d.driverType])).toEqual([
      ['virtio-disk0', 'volume', 'rfe-test-capture-pool', 'rfe-capture.qcow2', 'qcow2'],
      ['sata0-0-0', 'file', undefined, undefined, undefined],
    ]);
    expect(domain.disks[0]!.serial).toBe('RFE-VOL-0001');
    expect(domain.nics).toEqual([expect.objectContaining({ type: 'user', alias: 'net0', mac: '52:54:00:aa:bb:04' })]);
    expect(domain.bootDevices).toEqual(['hd', 'network']);
  });
});

describe('reading what libvirt may leave out, and what is not a domain', () => {
  const minimal = (inner: string) =>
    `<domain type="kvm"><name>m</name><uuid>00000000-0000-4000-8000-00000000000a</uuid>${inner}</domain>`;

  it("gives undefined or empty for missing optional parts, and libvirt's defaults", () => {
    const domain = readDomainXml(minimal('<memory>2048</memory><metadata/><devices/>'));
    expect(domain).toEqual({
      name: 'm',
      uuid: '00000000-0000-4000-8000-00000000000a',
      hypervisor: 'kvm',
      memoryBytes: 2048 * KiB,
      currentMemoryBytes: undefined,
      vcpus: 1,
      currentVcpus: undefined,
      osType: undefined,
      arch: undefined,
      machine: undefined,
      firmware: 'BIOS',
      secureBoot: false,
      bootDevices: [],
      perDeviceBoot: [],
      disks: [],
      nics: [],
      controllers: [],
      settings: undefined,
    });
  });

  it('honours every memory unit', () => {
    const memory = (unit: string, value: string) =>
      readDomainXml(minimal(`<memory unit="${unit}">${value}</memory>`)).memoryBytes;
    expect(memory('b', '4096')).toBe(4096);
    expect(memory('bytes', '4096')).toBe(4096);
    expect(memory('KiB', '4')).toBe(4 * KiB);
    expect(memory('k', '4')).toBe(4 * KiB);
    expect(memory('MiB', '3')).toBe(3 * MiB);
    expect(memory('GiB', '2')).toBe(2 * 1024 * MiB);
    expect(memory('MB', '1')).toBe(1_000_000);
    expect(
      readDomainXml(minimal('<memory>1</memory><currentMemory unit="MiB">1</currentMemory><vcpu current="1">4</vcpu>')),
    ).toMatchObject({ currentMemoryBytes: MiB, vcpus: 4, currentVcpus: 1 });
  });

  it('gives a clear error for what is not a domain or not XML', () => {
    expect(() => readDomainXml('<pool type="dir"><name>x</name></pool>')).toThrow(
      /root element is <pool>, not <domain>/,
    );
    expect(() => readDomainXml('<domain><name>x</name>')).toThrow(/not well-formed/);
    expect(() => readDomainXml('')).toThrow(XmlShapeError);
    expect(() => readDomainXml('not xml at all')).toThrow(XmlShapeError);
    expect(() => readDomainXml('<domain>just text</domain>')).toThrow(/without <name> or <uuid>/);
    expect(() => readDomainXml('<domain type="qemu"><memory>1</memory></domain>')).toThrow(/without <name> or <uuid>/);
    expect(() => readDomainXml(minimal(''))).toThrow(/has no <memory>/);
    expect(() => readDomainXml(minimal('<memory unit="parsecs">1</memory>'))).toThrow(
      /<memory>: unknown libvirt size unit 'parsecs'/,
    );
    expect(() => readDomainXml(minimal('<memory>lots</memory>'))).toThrow(/<memory>: not a size/);
    expect(() => readDomainXml(minimal('<memory>1</memory><vcpu>two</vcpu>'))).toThrow(/<vcpu> is not a whole number/);
    expect(() =>
      readDomainXml(minimal('<memory>1</memory><devices><disk><boot order="first"/></disk></devices>')),
    ).toThrow(/boot order is not a whole number/);
  });
});
