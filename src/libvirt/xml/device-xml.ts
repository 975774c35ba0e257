import { buildXml } from '../../xml.js';
import { requireInteger, requireOneOf, requirePattern, requireText, TARGET_DEV_PATTERN } from './spec-checks.js';

export const DISK_BUSES = ['virtio', 'scsi', 'sata'] as const;
export type DiskBus = (typeof DISK_BUSES)[number];

export interface DiskSpec {
  /** The volume's file (for dir pools, the volume's path and key). */
  readonly sourceFile: string;
  readonly format?: 'qcow2' | 'raw';
  /** The guest-side name libvirt uses to find the disk again on detach: vdb, sdc… */
  readonly targetDev: string;
  readonly bus?: DiskBus;
  /** What the guest sees as the disk's serial number: the logical volume's durable name. */
  readonly serial?: string;
  /**
   * A per-device boot order. libvirt refuses it (at attach too) in a domain whose `<os>` has
   * `<boot dev>` entries, and a domain with no boot order at all is stored with
   * `<boot dev='hd'/>`: use it only for domains already booted by per-device order.
   */
  readonly bootOrder?: number;
  /**
   * Where a SCSI disk sits: controller index and unit (bus and target 0). Given explicitly so
   * libvirt never derives it from the target name, which is what keeps it clear of other disks.
   */
  readonly scsiAddress?: { readonly controller: number; readonly unit: number };
}

const bootElement = (order: number | undefined) =>
  order === undefined ? {} : { boot: { $: { order: requireInteger(order, 'bootOrder', 1) } } };

/** A file-backed disk, for attach and detach (libvirt matches a detach by target). */
export function diskDeviceXml(spec: DiskSpec): string {
  return buildXml({ disk: diskElement(spec) });
}

/** The `<disk>` element's content, also for a domain definition's devices. */
export function diskElement(spec: DiskSpec): Record<string, unknown> {
  return {
    $: { type: 'file', device: 'disk' },
    driver: { $: { name: 'qemu', type: requireOneOf(spec.format ?? 'qcow2', ['qcow2', 'raw'], 'format') } },
    source: { $: { file: requireText(spec.sourceFile, 'sourceFile') } },
    target: {
      $: {
        dev: requirePattern(spec.targetDev, TARGET_DEV_PATTERN, 'targetDev', 'a device name such as vdb'),
        bus: requireOneOf(spec.bus ?? 'virtio', DISK_BUSES, 'bus'),
      },
    },
    ...(spec.serial !== undefined && { serial: requireText(spec.serial, 'serial') }),
    ...bootElement(spec.bootOrder),
    ...(spec.scsiAddress !== undefined && {
      address: {
        $: {
          type: 'drive',
          controller: requireInteger(spec.scsiAddress.controller, 'scsiAddress.controller', 0),
          bus: 0,
          target: 0,
          unit: requireInteger(spec.scsiAddress.unit, 'scsiAddress.unit', 0),
        },
      },
    }),
  };
}

/** A virtio-scsi controller: one PCI slot that holds thousands of disks (a plain PCI bus holds ~30). */
export function scsiControllerElement(index: number): Record<string, unknown> {
  return { $: { type: 'scsi', index: requireInteger(index, 'index', 0), model: 'virtio-scsi' } };
}

/** The same, for attach (hot-plug too). */
export function scsiControllerXml(index: number): string {
  return buildXml({ controller: scsiControllerElement(index) });
}

export const CDROM_BUSES = ['sata', 'ide', 'scsi', 'usb'] as const;
export const FLOPPY_BUSES = ['fdc'] as const;

export interface RemovableSpec {
  /** An image file, or undefined for an empty drive (ejected). */
  readonly sourceFile?: string;
  readonly targetDev: string;
  /** sata (the default), ide, scsi or usb for a CD-ROM; fdc for a floppy. */
  readonly bus?: string;
  readonly bootOrder?: number;
}

function removable(device: 'cdrom' | 'floppy', spec: RemovableSpec, buses: readonly string[]): string {
  return buildXml({
    disk: {
      $: { type: 'file', device },
      driver: { $: { name: 'qemu', type: 'raw' } },
      ...(spec.sourceFile !== undefined && { source: { $: { file: requireText(spec.sourceFile, 'sourceFile') } } }),
      target: {
        $: {
          dev: requirePattern(spec.targetDev, TARGET_DEV_PATTERN, 'targetDev', 'a device name such as sda'),
          bus: requireOneOf(spec.bus ?? buses[0]!, buses, 'bus'),
        },
      },
      readonly: '',
      ...bootElement(spec.bootOrder),
    },
  });
}

/**
 * A CD-ROM drive, for attach, or for update (virDomainUpdateDeviceFlags) to change media or,
 * without a source, eject it; libvirt finds the drive by its target.
 */
export function cdromDeviceXml(spec: RemovableSpec): string {
  return removable('cdrom', spec, CDROM_BUSES);
}

/** A floppy drive, likewise. */
export function floppyDeviceXml(spec: RemovableSpec): string {
  return removable('floppy', spec, FLOPPY_BUSES);
}
