import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { demoDomainXml, type DemoDomainSpec } from '../../src/libvirt/xml/demo-domain-xml.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { withBootOrder } from '../../src/libvirt/xml/boot-order.js';
import { withFirmware } from '../../src/libvirt/xml/firmware.js';
import {
  SETTINGS_NAMESPACE,
  SETTINGS_PREFIX,
  settingsFromMetadataXml,
  settingsMetadataXml,
  withSettings,
  type EmulatorSettings,
} from '../../src/libvirt/xml/settings-metadata.js';
import { dirPoolXml, readPoolXml, readVolumeXml, volumeXml } from '../../src/libvirt/xml/storage-xml.js';
import { cdromDeviceXml, diskDeviceXml } from '../../src/libvirt/xml/device-xml.js';

/*
 * What the writers produce, handed to the real libvirtd (through virsh, as an operator would) and
 * read back with the reader: libvirt's own parser is the judge of the XML.
 */

const URI = 'qemu:///system';
const work = mkdtempSync(join(tmpdir(), 'rfe-test-xml-'));
const MiB = 1024 * 1024;
const unique = (what: string) => `rfe-test-xml-${what}-${randomUUID().slice(0, 8)}`;

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('virsh', ['-q', '-c', URI, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function virsh(...args: string[]): string {
  const result = run(args);
  if (result.status !== 0) throw new Error(`virsh ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Writes `xml` to a file in the work dir for the virsh commands that take one. */
let files = 0;
function file(xml: string): string {
  const path = join(work, `${++files}.xml`);
  writeFileSync(path, xml);
  return path;
}

const cleanups: (() => void)[] = [];
const quietly = (...args: string[]) => cleanups.push(() => void run(args));

function define(xml: string): string {
  const name = readDomainXml(xml).name;
  virsh('define', file(xml));
  quietly('undefine', '--nvram', '--', name);
  return name;
}

const inactiveXml = (name: string) => virsh('dumpxml', '--inactive', '--', name);

function demoSpec(overrides: Partial<DemoDomainSpec> = {}): DemoDomainSpec {
  return { name: unique('dom'), uuid: randomUUID(), memoryMiB: 64, vcpus: 1, mac: '52:54:00:5e:00:01', ...overrides };
}

beforeAll(() => {
  chmodSync(work, 0o755);
});

afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('the demo domain on the real libvirtd', () => {
  it('is defined as written and reads back the same', () => {
    const xml = demoDomainXml(demoSpec({ vcpus: 2, memoryMiB: 96, bootDevices: ['network', 'hd'] }));
    const name = define(xml);
    const written = readDomainXml(xml);
    const stored = readDomainXml(inactiveXml(name));
    expect(stored).toMatchObject({
      name,
      uuid: written.uuid,
      hypervisor: 'qemu',
      memoryBytes: 96 * MiB,
      vcpus: 2,
      osType: 'hvm',
      arch: 'x86_64',
      firmware: 'BIOS',
      secureBoot: false,
      bootDevices: ['network', 'hd'],
      nics: [expect.objectContaining({ type: 'user', mac: '52:54:00:5e:00:01', model: 'virtio' })],
      disks: [
        expect.objectContaining({ device: 'cdrom', targetDev: 'sda', targetBus: 'sata', readOnly: true }),
        expect.objectContaining({ device: 'floppy', targetDev: 'fda', targetBus: 'fdc' }),
      ],
    });
    // libvirt names the exact machine version it chose for "pc".
    expect(stored.machine).toMatch(/^pc-i440fx-/);
    expect(inactiveXml(name)).toMatch(/<serial type='pty'>[\s\S]*<console type='pty'>/);
    expect(inactiveXml(name)).not.toMatch(/<graphics/);
  });

  it('is defined with its NIC on a libvirt network or a bridge, and its root disk first', () => {
    const onNetwork = define(
      demoDomainXml(
        demoSpec({ network: { type: 'network', name: 'default' }, rootDiskFile: join(work, 'root.qcow2') }),
      ),
    );
    const stored = readDomainXml(inactiveXml(onNetwork));
    expect(stored.nics).toEqual([
      expect.objectContaining({ type: 'network', sourceNetwork: 'default', mac: '52:54:00:5e:00:01' }),
    ]);
    expect(stored.disks[0]).toEqual(
      expect.objectContaining({
        device: 'disk',
        sourceFile: join(work, 'root.qcow2'),
        targetDev: 'vda',
        targetBus: 'virtio',
      }),
    );
    const onBridge = define(demoDomainXml(demoSpec({ network: { type: 'bridge', name: 'rfe-test-br0' } })));
    expect(readDomainXml(inactiveXml(onBridge)).nics).toEqual([
      expect.objectContaining({ type: 'bridge', sourceBridge: 'rfe-test-br0' }),
    ]);
  });

  it('keeps a hostile name a name, and starts with the UEFI firmware libvirt picks for it', () => {
    const hostile = `${unique('uefi')}-"<&'>]]>`;
    const name = define(
      demoDomainXml(demoSpec({ name: hostile, firmware: 'UEFI', serialConsole: 'none', bootDevices: ['cdrom'] })),
    );
    expect(name).toBe(hostile);
    expect(readDomainXml(inactiveXml(name))).toMatchObject({ name: hostile, firmware: 'UEFI', bootDevices: ['cdrom'] });
    virsh('start', '--', name);
    quietly('destroy', '--', name);
    try {
      const live = readDomainXml(virsh('dumpxml', '--', name));
      expect(live.firmware).toBe('UEFI');
      expect(virsh('dumpxml', '--', name)).toMatch(/<loader[^>]*type='pflash'[^>]*>\/usr\/share\/OVMF\//);
      expect(live.disks[0]!.alias).toBeDefined();
    } finally {
      virsh('destroy', '--', name);
    }
  });
});

describe('edits of a stored domain, accepted by libvirtd', () => {
  it('sets the boot order where libvirt would refuse both kinds together', () => {
    const base = readDomainXml(demoDomainXml(demoSpec()));
    // Per-device orders, as another tool may have left them.
    const perDevice = demoDomainXml(demoSpec({ name: base.name, uuid: base.uuid, bootDevices: [] })).replace(
      '<readonly/>',
      '<readonly/><boot order="1"/>',
    );
    const name = define(perDevice);
    const both = inactiveXml(name).replace('<os>', "<os><boot dev='hd'/>");
    const refused = run(['define', file(both)]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/per-device boot elements cannot be used together with os\/boot elements/);
    virsh('define', file(withBootOrder(inactiveXml(name), ['cdrom', 'network'])));
    expect(readDomainXml(inactiveXml(name))).toMatchObject({ bootDevices: ['cdrom', 'network'], perDeviceBoot: [] });
  });

  it('switches firmware BIOS → UEFI → BIOS, and Secure Boot on a q35 machine', () => {
    const name = define(demoDomainXml(demoSpec()));
    virsh('define', file(withFirmware(inactiveXml(name), 'UEFI')));
    expect(readDomainXml(inactiveXml(name)).firmware).toBe('UEFI');
    virsh('define', file(withFirmware(inactiveXml(name), 'BIOS')));
    expect(readDomainXml(inactiveXml(name)).firmware).toBe('BIOS');
    const q35 = define(demoDomainXml(demoSpec()).replace('machine="pc"', 'machine="q35"'));
    virsh('define', file(withFirmware(inactiveXml(q35), 'UEFI', { secureBoot: true })));
    expect(readDomainXml(inactiveXml(q35))).toMatchObject({ firmware: 'UEFI', secureBoot: true });
    expect(inactiveXml(q35)).toMatch(/<smm state='on'\/>/);
  });

  it('stores the settings metadata, replaced on each edit, with hostile names and values intact', () => {
    const settings: EmulatorSettings = {
      biosAttributes: { 'a"/><x': ']]>&', Cores: 4, Ht: false },
      pendingBiosAttributes: {},
      bootOverride: { target: 'Pxe', enabled: 'Once', mode: 'UEFI' },
    };
    const name = define(demoDomainXml(demoSpec()));
    virsh('define', file(withSettings(inactiveXml(name), { biosAttributes: { Old: 'x' } })));
    virsh('define', file(withSettings(inactiveXml(name), settings)));
    const stored = inactiveXml(name);
    expect(readDomainXml(stored).settings).toEqual(settings);
    expect(stored.split(SETTINGS_NAMESPACE)).toHaveLength(2);
    // The same block, read through libvirt's metadata API.
    expect(settingsFromMetadataXml(virsh('metadata', '--config', '--', name, SETTINGS_NAMESPACE))).toEqual(settings);
  });

  it('takes the settings element through virDomainSetMetadata, and the reader finds it in the domain', () => {
    const settings: EmulatorSettings = { biosAttributes: { BootRetryCount: 5, Label: '<b>' } };
    const name = define(demoDomainXml(demoSpec()));
    virsh(
      'metadata',
      '--config',
      '--key',
      SETTINGS_PREFIX,
      '--set',
      settingsMetadataXml(settings),
      '--',
      name,
      SETTINGS_NAMESPACE,
    );
    expect(readDomainXml(inactiveXml(name)).settings).toEqual(settings);
  });
});

describe('storage and devices on the real libvirtd', () => {
  it('defines a dir pool and creates qcow2 and raw volumes that read back as written', () => {
    const pool = unique('pool');
    const path = join(work, 'pool');
    virsh('pool-define', file(dirPoolXml(pool, path)));
    quietly('pool-undefine', '--', pool);
    virsh('pool-build', '--', pool);
    virsh('pool-start', '--', pool);
    quietly('pool-destroy', '--', pool);
    expect(readPoolXml(virsh('pool-dumpxml', '--', pool))).toMatchObject({ name: pool, type: 'dir', path });

    const volume = `vol-"<&>'.qcow2`;
    virsh('vol-create', '--', pool, file(volumeXml({ name: volume, capacityBytes: 64 * MiB })));
    quietly('vol-delete', '--pool', pool, '--', volume);
    expect(readVolumeXml(virsh('vol-dumpxml', '--pool', pool, '--', volume))).toMatchObject({
      name: volume,
      format: 'qcow2',
      capacityBytes: 64 * MiB,
      path: join(path, volume),
    });
    virsh('vol-create', '--', pool, file(volumeXml({ name: 'raw.img', capacityBytes: 8 * MiB, format: 'raw' })));
    quietly('vol-delete', '--pool', pool, '--', 'raw.img');
    expect(readVolumeXml(virsh('vol-dumpxml', '--pool', pool, '--', 'raw.img'))).toMatchObject({
      format: 'raw',
      capacityBytes: 8 * MiB,
    });

    // The volume as a disk of a stored domain: attached, seen with its serial, detached. A disk
    // with its own boot order goes only into a domain booted by per-device order (without any,
    // libvirt stores <boot dev='hd'/>), so the drive here has one.
    const name = define(
      demoDomainXml(demoSpec({ bootDevices: [] })).replace('<readonly/>', '<readonly/><boot order="2"/>'),
    );
    expect(readDomainXml(inactiveXml(name)).bootDevices).toEqual([]);
    const disk = diskDeviceXml({
      sourceFile: join(path, volume),
      targetDev: 'vdb',
      serial: 'RAID1-VOL-1',
      bootOrder: 1,
    });
    virsh('attach-device', '--config', '--', name, file(disk));
    const attached = readDomainXml(inactiveXml(name)).disks.find((d) => d.targetDev === 'vdb');
    expect(attached).toMatchObject({
      device: 'disk',
      sourceFile: join(path, volume),
      driverType: 'qcow2',
      targetBus: 'virtio',
      serial: 'RAID1-VOL-1',
      bootOrder: 1,
    });
    virsh('detach-device', '--config', '--', name, file(disk));
    expect(readDomainXml(inactiveXml(name)).disks.map((d) => d.targetDev)).toEqual(['sda', 'fda']);

    // Media change and eject on the CD-ROM drive.
    virsh(
      'update-device',
      '--config',
      '--',
      name,
      file(cdromDeviceXml({ sourceFile: join(path, 'raw.img'), targetDev: 'sda' })),
    );
    expect(readDomainXml(inactiveXml(name)).disks[0]).toMatchObject({
      device: 'cdrom',
      sourceFile: join(path, 'raw.img'),
    });
    virsh('update-device', '--config', '--', name, file(cdromDeviceXml({ targetDev: 'sda' })));
    expect(readDomainXml(inactiveXml(name)).disks[0]!.sourceFile).toBeUndefined();
  });
});
