import type { SupportedRaidType } from './raid-levels.js';

/** The Volume schema's VolumeType enum, deprecated in favour of RAIDType but still sent by older clients. */
export const VOLUME_TYPES = [
  'RawDevice',
  'NonRedundant',
  'Mirrored',
  'StripedWithParity',
  'SpannedMirrors',
  'SpannedStripesWithParity',
] as const;

export type VolumeType = (typeof VOLUME_TYPES)[number];

export function isVolumeType(value: string): value is VolumeType {
  return (VOLUME_TYPES as readonly string[]).includes(value);
}

const VOLUME_TYPE_OF: Readonly<Record<SupportedRaidType, VolumeType>> = {
  None: 'RawDevice',
  RAID0: 'NonRedundant',
  RAID1: 'Mirrored',
  RAID1Triple: 'Mirrored',
  RAID5: 'StripedWithParity',
  RAID6: 'StripedWithParity',
  RAID10: 'SpannedMirrors',
  RAID10Triple: 'SpannedMirrors',
  RAID50: 'SpannedStripesWithParity',
  RAID60: 'SpannedStripesWithParity',
};

/** The deprecated VolumeType a volume of this level reports alongside its RAIDType. */
export function volumeTypeOf(raidType: SupportedRaidType): VolumeType {
  return VOLUME_TYPE_OF[raidType];
}

/**
 * The level built when a client names only a VolumeType. Each VolumeType covers several levels,
 * so this picks the one needing the fewest members and giving the most capacity: single parity
 * for StripedWithParity and SpannedStripesWithParity, two-way mirrors for SpannedMirrors. A
 * Mirrored request over exactly three drives is the only three-way mirror it can mean.
 * A client wanting RAID6, RAID60 or RAID10Triple must say so with RAIDType.
 */
export function raidTypeForVolumeType(volumeType: VolumeType, memberCount: number): SupportedRaidType {
  switch (volumeType) {
    case 'RawDevice':
      return 'None';
    case 'NonRedundant':
      return 'RAID0';
    case 'Mirrored':
      return memberCount === 3 ? 'RAID1Triple' : 'RAID1';
    case 'StripedWithParity':
      return 'RAID5';
    case 'SpannedMirrors':
      return 'RAID10';
    case 'SpannedStripesWithParity':
      return 'RAID50';
  }
}
