import { attr, child, children, childText, parseXml, XmlShapeError, type XmlNode } from '../../xml.js';
import { toBytes } from './units.js';
import { readSettings, type EmulatorSettings } from './settings-metadata.js';

export type BootDevice = 'hd' | 'cdrom' | 'network' | 'fd';
export type Firmware = 'BIOS' | 'UEFI';

export interface DomainDisk {
  /** disk, cdrom, floppy or lun */
  readonly device: string;
  /** file, block, volume, network… */
  readonly type: string;
  readonly driverType?: string;
  readonly sourceFile?: string;
  readonly sourcePool?: string;
  readonly sourceVolume?: string;
  readonly sourceDevice?: string;
  readonly targetDev?: string;
  readonly targetBus?: string;
  readonly serial?: string;
  readonly readOnly: boolean;
  readonly bootOrder?: number;
  readonly alias?: string;
}

export interface DomainNic {
  readonly type: string;
  readonly mac?: string;
  readonly model?: string;
  readonly sourceNetwork?: string;
  readonly sourceBridge?: string;
  readonly bootOrder?: number;
}

/** What the emulator reads from a domain's XML. */
export interface DomainDescription {
  readonly name: string;
  readonly uuid: string;
  readonly hypervisor: string;
  readonly memoryBytes: number;
  readonly currentMemoryBytes?: number;
  readonly vcpus: number;
  readonly osType?: string;
  readonly arch?: string;
  readonly machine?: string;
  readonly firmware: Firmware;
  readonly secureBoot: boolean;
  /** `<os><boot dev>` entries in order. */
  readonly bootDevices: readonly BootDevice[];
  readonly disks: readonly DomainDisk[];
  readonly nics: readonly DomainNic[];
  readonly settings?: EmulatorSettings;
}

const optionalNumber = (value: string | undefined) => (value === undefined ? undefined : Number(value));

function readDisk(disk: XmlNode): DomainDisk {
  const source = child(disk, 'source');
  const target = child(disk, 'target');
  return {
    device: attr(disk, 'device') ?? 'disk',
    type: attr(disk, 'type') ?? 'file',
    driverType: attr(child(disk, 'driver'), 'type'),
    sourceFile: attr(source, 'file'),
    sourcePool: attr(source, 'pool'),
    sourceVolume: attr(source, 'volume'),
    sourceDevice: attr(source, 'dev'),
    targetDev: attr(target, 'dev'),
    targetBus: attr(target, 'bus'),
    serial: childText(disk, 'serial'),
    readOnly: child(disk, 'readonly') !== undefined,
    bootOrder: optionalNumber(attr(child(disk, 'boot'), 'order')),
    alias: attr(child(disk, 'alias'), 'name'),
  };
}

function readNic(nic: XmlNode): DomainNic {
  const source = child(nic, 'source');
  return {
    type: attr(nic, 'type') ?? 'network',
    mac: attr(child(nic, 'mac'), 'address'),
    model: attr(child(nic, 'model'), 'type'),
    sourceNetwork: attr(source, 'network'),
    sourceBridge: attr(source, 'bridge'),
    bootOrder: optionalNumber(attr(child(nic, 'boot'), 'order')),
  };
}

function readFirmware(os: XmlNode | undefined): { firmware: Firmware; secureBoot: boolean } {
  const loader = child(os, 'loader');
  const efi = attr(os, 'firmware') === 'efi' || attr(loader, 'type') === 'pflash';
  const secureFeature = children(child(os, 'firmware'), 'feature').some((f) => attr(f, 'name') === 'secure-boot' && attr(f, 'enabled') === 'yes');
  return { firmware: efi ? 'UEFI' : 'BIOS', secureBoot: attr(loader, 'secure') === 'yes' || secureFeature };
}

/** Reads a domain's XML (as virDomainGetXMLDesc returns it) into a typed description. */
export function readDomainXml(xml: string): DomainDescription {
  const domain = parseXml(xml)['domain'];
  if (!domain) throw new XmlShapeError('not a libvirt domain: the root element is not <domain>');
  const name = childText(domain, 'name');
  const uuid = childText(domain, 'uuid');
  if (!name || !uuid) throw new XmlShapeError('a domain without <name> or <uuid>');
  const memory = child(domain, 'memory');
  const current = child(domain, 'currentMemory');
  const os = child(domain, 'os');
  const type = child(os, 'type');
  const devices = child(domain, 'devices');
  return {
    name,
    uuid,
    hypervisor: attr(domain, 'type') ?? 'unknown',
    memoryBytes: memory ? toBytes(childText(domain, 'memory') ?? '0', attr(memory, 'unit')) : 0,
    currentMemoryBytes: current ? toBytes(childText(domain, 'currentMemory') ?? '0', attr(current, 'unit')) : undefined,
    vcpus: Number(childText(domain, 'vcpu') ?? '1'),
    osType: childText(os, 'type'),
    arch: attr(type, 'arch'),
    machine: attr(type, 'machine'),
    ...readFirmware(os),
    bootDevices: children(os, 'boot').map((b) => attr(b, 'dev') as BootDevice).filter(Boolean),
    disks: children(devices, 'disk').map(readDisk),
    nics: children(devices, 'interface').map(readNic),
    settings: readSettings(child(domain, 'metadata')),
  };
}
