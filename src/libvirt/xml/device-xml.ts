import { buildXml } from '../../xml.js';

export interface DiskSpec {
  /** The volume's file (for dir pools, the volume key). */
  readonly sourceFile: string;
  readonly format?: 'qcow2' | 'raw';
  readonly targetDev: string;
  readonly bus?: 'virtio' | 'scsi' | 'sata';
  /** What the guest sees as the disk's serial number: the logical volume's durable name. */
  readonly serial?: string;
  readonly bootOrder?: number;
}

/** A file-backed disk, for attach and detach. */
export function diskDeviceXml(spec: DiskSpec): string {
  return buildXml({
    disk: {
      $: { type: 'file', device: 'disk' },
      driver: { $: { name: 'qemu', type: spec.format ?? 'qcow2' } },
      source: { $: { file: spec.sourceFile } },
      target: { $: { dev: spec.targetDev, bus: spec.bus ?? 'virtio' } },
      ...(spec.serial !== undefined && { serial: spec.serial }),
      ...(spec.bootOrder !== undefined && { boot: { $: { order: String(spec.bootOrder) } } }),
    },
  });
}

export interface RemovableSpec {
  /** An image file, or undefined for an empty drive (ejected). */
  readonly sourceFile?: string;
  readonly targetDev: string;
  readonly bus?: 'sata' | 'ide' | 'scsi' | 'fdc' | 'usb';
  readonly bootOrder?: number;
}

function removable(device: 'cdrom' | 'floppy', spec: RemovableSpec, defaultBus: string): string {
  return buildXml({
    disk: {
      $: { type: 'file', device },
      driver: { $: { name: 'qemu', type: 'raw' } },
      ...(spec.sourceFile !== undefined && { source: { $: { file: spec.sourceFile } } }),
      target: { $: { dev: spec.targetDev, bus: spec.bus ?? defaultBus } },
      readonly: '',
      ...(spec.bootOrder !== undefined && { boot: { $: { order: String(spec.bootOrder) } } }),
    },
  });
}

/** A CD-ROM drive, for attach, or for update to insert or eject media. */
export function cdromDeviceXml(spec: RemovableSpec): string {
  return removable('cdrom', spec, 'sata');
}

/** A floppy drive, likewise. */
export function floppyDeviceXml(spec: RemovableSpec): string {
  return removable('floppy', spec, 'fdc');
}
