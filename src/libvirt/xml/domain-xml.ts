import { attr, child, children, childText, XmlShapeError, type XmlNode } from '../../xml.js';
import { parseDomainDocument } from './domain-document.js';
import { toBytes } from './units.js';
import { readSettings, type EmulatorSettings } from './settings-metadata.js';

/** The devices libvirt's `<os><boot dev>` names. */
export const BOOT_DEVICES = ['hd', 'cdrom', 'network', 'fd'] as const;
export type BootDevice = (typeof BOOT_DEVICES)[number];
export type Firmware = 'BIOS' | 'UEFI';

export interface DomainDisk {
  /** disk, cdrom, floppy or lun */
  readonly device: string;
  /** How the source is given: file, block, volume, network… */
  readonly type: string;
  /** The driver's name (qemu) and image format (qcow2, raw…). */
  readonly driverName?: string;
  readonly driverType?: string;
  readonly sourceFile?: string;
  readonly sourcePool?: string;
  readonly sourceVolume?: string;
  /** A block device's path (type block). */
  readonly sourceDevice?: string;
  readonly targetDev?: string;
  readonly targetBus?: string;
  readonly serial?: string;
  readonly readOnly: boolean;
  /** The per-device `<boot order>`. */
  readonly bootOrder?: number;
  /** The name QEMU knows the device by; only in a running domain's XML. */
  readonly alias?: string;
  /** Where the disk sits on its bus's controller (`<address type='drive'>`), when given. */
  readonly driveAddress?: DriveAddress;
}

export interface DriveAddress {
  readonly controller: number;
  readonly bus: number;
  readonly target: number;
  readonly unit: number;
}

/** A `<controller>`: scsi, sata, usb, pci…, its index among controllers of its type, and model. */
export interface DomainController {
  readonly type: string;
  readonly index: number;
  readonly model?: string;
}

export interface DomainNic {
  /** network, bridge, user, direct… */
  readonly type: string;
  readonly mac?: string;
  readonly model?: string;
  readonly sourceNetwork?: string;
  readonly sourceBridge?: string;
  readonly bootOrder?: number;
  readonly alias?: string;
}

/** One device with a per-device `<boot order>`, as the boot device kind it stands for. */
export interface DeviceBootEntry {
  readonly order: number;
  readonly device: BootDevice;
  /** The disk's target, or the NIC's MAC. */
  readonly targetDev?: string;
  readonly mac?: string;
}

/** What the emulator reads from a domain's XML. */
export interface DomainDescription {
  readonly name: string;
  readonly uuid: string;
  /** The domain type: qemu, kvm, test… */
  readonly hypervisor: string;
  /** The maximum memory at boot. */
  readonly memoryBytes: number;
  readonly currentMemoryBytes?: number;
  /** The vCPUs at boot (`<vcpu>`), and the ones online when `current` says fewer. */
  readonly vcpus: number;
  readonly currentVcpus?: number;
  readonly osType?: string;
  readonly arch?: string;
  readonly machine?: string;
  readonly firmware: Firmware;
  /** True only when the XML shows it: a secure loader or the secure-boot firmware feature. */
  readonly secureBoot: boolean;
  /** `<os><boot dev>` entries in order. */
  readonly bootDevices: readonly BootDevice[];
  /** Devices with a per-device `<boot order>`, lowest order first (libvirt allows one kind or the other). */
  readonly perDeviceBoot: readonly DeviceBootEntry[];
  readonly disks: readonly DomainDisk[];
  readonly nics: readonly DomainNic[];
  readonly controllers: readonly DomainController[];
  /** The emulator's own metadata block, when the domain has one. */
  readonly settings?: EmulatorSettings;
}

function wholeNumber(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(value)) throw new XmlShapeError(`${what} is not a whole number: '${value}'`);
  return Number(value);
}

/** A memory element in bytes; libvirt's default unit for memory is KiB. */
function memoryBytes(domain: XmlNode, name: string): number | undefined {
  const element = child(domain, name);
  if (element === undefined) return undefined;
  try {
    return toBytes(childText(domain, name) ?? '', attr(element, 'unit'), 'KiB');
  } catch (err) {
    throw new XmlShapeError(`<${name}>: ${(err as Error).message}`);
  }
}

function readDisk(disk: XmlNode): DomainDisk {
  const source = child(disk, 'source');
  const target = child(disk, 'target');
  const driver = child(disk, 'driver');
  return {
    device: attr(disk, 'device') ?? 'disk',
    type: attr(disk, 'type') ?? 'file',
    driverName: attr(driver, 'name'),
    driverType: attr(driver, 'type'),
    sourceFile: attr(source, 'file'),
    sourcePool: attr(source, 'pool'),
    sourceVolume: attr(source, 'volume'),
    sourceDevice: attr(source, 'dev'),
    targetDev: attr(target, 'dev'),
    targetBus: attr(target, 'bus'),
    serial: childText(disk, 'serial'),
    readOnly: child(disk, 'readonly') !== undefined,
    bootOrder: wholeNumber(attr(child(disk, 'boot'), 'order'), "a disk's boot order"),
    alias: attr(child(disk, 'alias'), 'name'),
    driveAddress: readDriveAddress(child(disk, 'address')),
  };
}

function readDriveAddress(address: XmlNode | undefined): DriveAddress | undefined {
  if (attr(address, 'type') !== 'drive') return undefined;
  const field = (name: string) => wholeNumber(attr(address, name), `a drive address's ${name}`) ?? 0;
  return { controller: field('controller'), bus: field('bus'), target: field('target'), unit: field('unit') };
}

function readController(controller: XmlNode): DomainController {
  return {
    type: attr(controller, 'type') ?? '',
    index: wholeNumber(attr(controller, 'index'), "a controller's index") ?? 0,
    model: attr(controller, 'model'),
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
    bootOrder: wholeNumber(attr(child(nic, 'boot'), 'order'), "an interface's boot order"),
    alias: attr(child(nic, 'alias'), 'name'),
  };
}

const DISK_BOOT_DEVICE: Readonly<Record<string, BootDevice>> = { disk: 'hd', lun: 'hd', cdrom: 'cdrom', floppy: 'fd' };

function perDeviceBoot(disks: readonly DomainDisk[], nics: readonly DomainNic[]): DeviceBootEntry[] {
  const entries: DeviceBootEntry[] = [];
  for (const d of disks) {
    const device = DISK_BOOT_DEVICE[d.device];
    if (d.bootOrder !== undefined && device)
      entries.push({ order: d.bootOrder, device, ...(d.targetDev !== undefined && { targetDev: d.targetDev }) });
  }
  for (const n of nics)
    if (n.bootOrder !== undefined)
      entries.push({ order: n.bootOrder, device: 'network', ...(n.mac !== undefined && { mac: n.mac }) });
  return entries.sort((a, b) => a.order - b.order);
}

/** UEFI when the firmware is asked for by name or a pflash loader (how OVMF is loaded) is given. */
function readFirmware(os: XmlNode | undefined): { firmware: Firmware; secureBoot: boolean } {
  const loader = child(os, 'loader');
  const efi = attr(os, 'firmware') === 'efi' || attr(loader, 'type') === 'pflash';
  const secureFeature = children(child(os, 'firmware'), 'feature').some(
    (f) => attr(f, 'name') === 'secure-boot' && attr(f, 'enabled') === 'yes',
  );
  return { firmware: efi ? 'UEFI' : 'BIOS', secureBoot: efi && (attr(loader, 'secure') === 'yes' || secureFeature) };
}

/** Reads a domain's XML (as virDomainGetXMLDesc returns it) into a typed description. */
export function readDomainXml(xml: string): DomainDescription {
  const { domain } = parseDomainDocument(xml);
  const name = childText(domain, 'name');
  const uuid = childText(domain, 'uuid');
  if (!name || !uuid) throw new XmlShapeError('a domain without <name> or <uuid>');
  const memory = memoryBytes(domain, 'memory');
  if (memory === undefined) throw new XmlShapeError(`domain ${name} has no <memory>`);
  const vcpu = child(domain, 'vcpu');
  const os = child(domain, 'os');
  const type = child(os, 'type');
  const devices = child(domain, 'devices');
  const disks = children(devices, 'disk').map(readDisk);
  const nics = children(devices, 'interface').map(readNic);
  return {
    name,
    uuid,
    hypervisor: attr(domain, 'type') ?? 'unknown',
    memoryBytes: memory,
    currentMemoryBytes: memoryBytes(domain, 'currentMemory'),
    // libvirt's own default when <vcpu> is absent.
    vcpus: wholeNumber(childText(domain, 'vcpu'), '<vcpu>') ?? 1,
    currentVcpus: wholeNumber(attr(vcpu, 'current'), '<vcpu current>'),
    osType: childText(os, 'type'),
    arch: attr(type, 'arch'),
    machine: attr(type, 'machine'),
    ...readFirmware(os),
    bootDevices: children(os, 'boot')
      .map((b) => attr(b, 'dev'))
      .filter((dev): dev is BootDevice => BOOT_DEVICES.includes(dev as BootDevice)),
    perDeviceBoot: perDeviceBoot(disks, nics),
    disks,
    nics,
    controllers: children(devices, 'controller').map(readController),
    settings: readSettings(child(domain, 'metadata')),
  };
}
