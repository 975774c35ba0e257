import { describe, expect, it } from 'vitest';
import type { DomainDisk } from '../../src/libvirt/xml/domain-xml.js';
import { MAX_VOLUMES_PER_STORAGE } from '../../src/domain/storage/storage-decider.js';
import { scsiTargetName, volumeSlot } from '../../src/reconciler/volume-slot.js';

const disk = (targetDev: string, targetBus: string, address?: { controller: number; unit: number }): DomainDisk => ({
  device: 'disk',
  type: 'file',
  targetDev,
  targetBus,
  readOnly: false,
  ...(address && { driveAddress: { controller: address.controller, bus: 0, target: 0, unit: address.unit } }),
});
/** What the demo domain has besides volumes: the virtual media CD-ROM and UEFI HTTP boot drive on SATA. */
const media = [
  disk('sda', 'sata', { controller: 0, unit: 0 }),
  disk('sdh', 'sata', { controller: 0, unit: 1 }),
  disk('vda', 'virtio'),
];

describe('where a volume goes in its domain', () => {
  it('names targets as libvirt does', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(scsiTargetName)).toEqual([
      'sda',
      'sdz',
      'sdaa',
      'sdab',
      'sdaz',
      'sdba',
      'sdzz',
      'sdaaa',
    ]);
  });

  it('gives as many volumes as a controller holds distinct units and names clear of the media drives', () => {
    const disks: DomainDisk[] = [...media];
    for (let n = 0; n < MAX_VOLUMES_PER_STORAGE; n++) {
      const slot = volumeSlot(0, disks);
      disks.push(disk(slot.targetDev, 'scsi', slot));
    }
    const volumes = disks.slice(media.length);
    expect(volumes.map((d) => d.driveAddress!.unit)).toEqual([...Array(MAX_VOLUMES_PER_STORAGE).keys()]);
    expect(new Set(volumes.map((d) => d.targetDev)).size).toBe(MAX_VOLUMES_PER_STORAGE);
    expect(volumes[0]!.targetDev).toBe('sdaa');
    expect(volumes.at(-1)!.targetDev).toBe('sdcl');
    // Every name has two letters after sd: no one-letter name a CD-ROM, boot drive or adopted disk uses.
    expect(volumes.every((d) => /^sd[a-z]{2}$/.test(d.targetDev!))).toBe(true);
  });

  it('fills the first free unit and name, counting the live machine as well as the definition', () => {
    const definition = [
      ...media,
      disk('sdaa', 'scsi', { controller: 0, unit: 0 }),
      disk('sdac', 'scsi', { controller: 0, unit: 2 }),
    ];
    const live = [...definition, disk('sdab', 'scsi', { controller: 0, unit: 1 })];
    expect(volumeSlot(0, definition, live)).toEqual({ controller: 0, unit: 3, targetDev: 'sdad' });
    expect(volumeSlot(0, definition)).toEqual({ controller: 0, unit: 1, targetDev: 'sdab' });
  });

  it('counts units per SCSI controller, and names across all of them', () => {
    const disks = [
      ...media,
      disk('sdaa', 'scsi', { controller: 0, unit: 0 }),
      disk('sdab', 'scsi', { controller: 1, unit: 0 }),
    ];
    expect(volumeSlot(1, disks)).toEqual({ controller: 1, unit: 1, targetDev: 'sdac' });
    expect(volumeSlot(2, disks)).toEqual({ controller: 2, unit: 0, targetDev: 'sdac' });
  });

  it('does not count a SATA disk at the same controller and unit as taking a SCSI unit', () => {
    expect(volumeSlot(0, media).unit).toBe(0);
  });
});
