import type { DriveFacts } from './drive-facts.js';
import type { VolumeLayout } from './member-layout.js';

/** A volume that already holds space: every member gives it the same extent. */
export interface AllocatedVolume extends VolumeLayout {
  readonly id: string;
  readonly extentBytes: number;
}

/**
 * Bytes not yet given to any volume, per drive. Space is counted, not placed: where on the drive
 * an extent lies is not modelled, so deleting a volume never leaves unusable fragments. Volumes
 * keep their extents on a failed drive (their data is still described there until rebuilt).
 */
export function freeBytesByDrive(
  drives: readonly DriveFacts[],
  volumes: readonly AllocatedVolume[],
): ReadonlyMap<string, number> {
  const used = new Map<string, number>();
  for (const volume of volumes) {
    for (const member of new Set(volume.members)) used.set(member, (used.get(member) ?? 0) + volume.extentBytes);
  }
  return new Map(drives.map((drive) => [drive.id, Math.max(0, drive.capacityBytes - (used.get(drive.id) ?? 0))]));
}
