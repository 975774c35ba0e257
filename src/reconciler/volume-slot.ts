import type { DomainDisk } from '../libvirt/xml/domain-xml.js';

/**
 * Where a volume's disk goes in its domain. Volumes are SCSI disks on one virtio-scsi controller
 * per emulated storage controller, not virtio disks: each virtio disk takes a PCI slot, and the
 * machine's one PCI bus runs out at about 28 of them, while one virtio-scsi controller (one
 * slot) holds far more units than a controller advertises volumes.
 */
export interface VolumeSlot {
  /** The SCSI controller's index: the storage controller's place in the system's config. */
  readonly controller: number;
  /** The unit on that controller (bus 0, target 0). */
  readonly unit: number;
  /** The disk's target name, from sdaa on. */
  readonly targetDev: string;
}

/**
 * Target names for volumes start after sdz. Names of one letter (sda, the virtual media CD-ROM;
 * sdh, the UEFI HTTP boot drive; whatever an adopted domain has) are left to other drives, and
 * since every volume disk carries an explicit address, libvirt never derives one from the name.
 */
export const FIRST_VOLUME_TARGET = 26;

/** libvirt's disk naming: 0 is sda, 25 sdz, 26 sdaa, 701 sdzz, 702 sdaaa. */
export function scsiTargetName(index: number): string {
  let suffix = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    suffix = String.fromCharCode(97 + ((n - 1) % 26)) + suffix;
  return `sd${suffix}`;
}

/**
 * The first free unit on the controller and the first free target name, given every disk of the
 * domain's definitions (persistent and live: a disk in either one holds its unit and name).
 */
export function volumeSlot(controller: number, ...definitions: (readonly DomainDisk[])[]): VolumeSlot {
  const disks = definitions.flat();
  const names = new Set(disks.map((d) => d.targetDev));
  const units = new Set(
    disks
      .filter(
        (d) =>
          d.targetBus === 'scsi' &&
          d.driveAddress?.controller === controller &&
          d.driveAddress.bus === 0 &&
          d.driveAddress.target === 0,
      )
      .map((d) => d.driveAddress!.unit),
  );
  let unit = 0;
  while (units.has(unit)) unit++;
  let index = FIRST_VOLUME_TARGET;
  while (names.has(scsiTargetName(index))) index++;
  return { controller, unit, targetDev: scsiTargetName(index) };
}
