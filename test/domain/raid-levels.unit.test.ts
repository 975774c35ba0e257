import { describe, expect, it } from 'vitest';
import { faultTolerance } from '../../src/domain/storage/raid/fault-effects.js';
import { planVolume, type VolumeAllocation } from '../../src/domain/storage/raid/plan-volume.js';
import { SUPPORTED_RAID_TYPES, type SupportedRaidType } from '../../src/domain/storage/raid/raid-levels.js';
import { raidTypeForVolumeType, volumeTypeOf } from '../../src/domain/storage/raid/volume-type.js';
import { expectAllocation, expectProblem, GiB, gibDrives, ids } from './raid-fixtures.js';

const pool = gibDrives(16);

function plan(raidType: string, count: number) {
  return planVolume({ raidType, drives: ids(count) }, pool, []);
}

/**
 * Valid counts with the set size and the largest capacity over 1 GiB drives, worked out by
 * hand: data members × 1 GiB.
 */
const VALID: readonly [SupportedRaidType, number, number, number][] = [
  // level, members, set size, capacity in GiB
  ['None', 1, 1, 1],
  ['RAID0', 1, 1, 1],
  ['RAID0', 2, 2, 2],
  ['RAID0', 5, 5, 5],
  ['RAID1', 2, 2, 1],
  ['RAID1Triple', 3, 3, 1],
  ['RAID5', 3, 3, 2],
  ['RAID5', 4, 4, 3],
  ['RAID5', 7, 7, 6],
  ['RAID6', 4, 4, 2],
  ['RAID6', 5, 5, 3],
  ['RAID10', 4, 2, 2],
  ['RAID10', 6, 2, 3],
  ['RAID10', 8, 2, 4],
  ['RAID10Triple', 6, 3, 2],
  ['RAID10Triple', 9, 3, 3],
  ['RAID50', 6, 3, 4], // 2 spans of 3: 2 × (3 − 1)
  ['RAID50', 8, 4, 6], // 2 spans of 4
  ['RAID50', 9, 3, 6], // odd: 3 spans of 3
  ['RAID50', 10, 5, 8],
  ['RAID50', 15, 5, 12], // 3 spans of 5: 3 × 4
  ['RAID60', 8, 4, 4], // 2 spans of 4: 2 × (4 − 2)
  ['RAID60', 10, 5, 6],
  ['RAID60', 12, 6, 8],
];

const TOO_FEW: readonly [SupportedRaidType, number, number][] = [
  // level, members, minimum
  ['None', 0, 1],
  ['RAID0', 0, 1],
  ['RAID1', 1, 2],
  ['RAID1Triple', 2, 3],
  ['RAID5', 2, 3],
  ['RAID6', 3, 4],
  ['RAID10', 2, 4],
  ['RAID10', 3, 4],
  ['RAID10Triple', 5, 6],
  ['RAID50', 5, 6],
  ['RAID60', 7, 8],
];

const TOO_MANY: readonly [SupportedRaidType, number, number][] = [
  ['None', 2, 1],
  ['RAID1', 3, 2],
  ['RAID1', 4, 2],
  ['RAID1Triple', 4, 3],
];

/** Enough members, but they cannot be cut into the level's sets. */
const BAD_SHAPE: readonly [SupportedRaidType, number][] = [
  ['RAID10', 5],
  ['RAID10', 7],
  ['RAID10Triple', 7],
  ['RAID10Triple', 8],
  ['RAID50', 7],
  ['RAID50', 11],
  ['RAID50', 13],
  ['RAID60', 9], // 3 spans of 3 are too small for RAID6
  ['RAID60', 11],
];

describe('RAID level table', () => {
  it('covers the ten levels it claims and nothing else', () => {
    expect([...SUPPORTED_RAID_TYPES].sort()).toEqual(
      ['None', 'RAID0', 'RAID1', 'RAID10', 'RAID10Triple', 'RAID1Triple', 'RAID5', 'RAID50', 'RAID6', 'RAID60'].sort(),
    );
  });

  it.each(VALID)('%s over %i drives: sets of %i, %i GiB', (raidType, count, setSize, gib) => {
    const allocation = expectAllocation<VolumeAllocation>(plan(raidType, count));
    expect(allocation).toMatchObject({
      raidType,
      setSize,
      capacityBytes: gib * GiB,
      extentBytes: GiB,
      members: ids(count),
    });
  });

  it.each(TOO_FEW)('%s over %i drives is too few (minimum %i)', (raidType, count, minimum) => {
    expectProblem(plan(raidType, count), {
      messageId: 'ArraySizeTooShort',
      args: ['Links/Drives', String(minimum)],
      related: ['#/Links/Drives'],
    });
  });

  it.each(TOO_MANY)('%s over %i drives is too many (maximum %i)', (raidType, count, maximum) => {
    expectProblem(plan(raidType, count), {
      messageId: 'ArraySizeTooLong',
      args: ['Links/Drives', String(maximum)],
      related: ['#/Links/Drives'],
    });
  });

  it.each(BAD_SHAPE)('%s over %i drives cannot be cut into equal sets', (raidType, count) => {
    expectProblem(plan(raidType, count), {
      messageId: 'PropertyValueConflict',
      args: ['Links/Drives', 'RAIDType'],
      related: ['#/Links/Drives', '#/RAIDType'],
    });
  });
});

describe('fault tolerance by level', () => {
  const CASES: readonly [
    SupportedRaidType,
    number,
    number,
    { sets: number; perSet: number; guaranteed: number; maximum: number },
  ][] = [
    ['None', 1, 1, { sets: 1, perSet: 0, guaranteed: 0, maximum: 0 }],
    ['RAID0', 3, 3, { sets: 1, perSet: 0, guaranteed: 0, maximum: 0 }],
    ['RAID1', 2, 2, { sets: 1, perSet: 1, guaranteed: 1, maximum: 1 }],
    ['RAID1Triple', 3, 3, { sets: 1, perSet: 2, guaranteed: 2, maximum: 2 }],
    ['RAID5', 4, 4, { sets: 1, perSet: 1, guaranteed: 1, maximum: 1 }],
    ['RAID6', 5, 5, { sets: 1, perSet: 2, guaranteed: 2, maximum: 2 }],
    ['RAID10', 6, 2, { sets: 3, perSet: 1, guaranteed: 1, maximum: 3 }],
    ['RAID10Triple', 9, 3, { sets: 3, perSet: 2, guaranteed: 2, maximum: 6 }],
    ['RAID50', 9, 3, { sets: 3, perSet: 1, guaranteed: 1, maximum: 3 }],
    ['RAID60', 8, 4, { sets: 2, perSet: 2, guaranteed: 2, maximum: 4 }],
  ];
  it.each(CASES)('%s over %i drives (sets of %i)', (raidType, count, setSize, expected) => {
    expect(faultTolerance({ raidType, members: ids(count), setSize })).toEqual(expected);
  });
});

describe('deprecated VolumeType', () => {
  it('is reported for every level', () => {
    const reported = Object.fromEntries(SUPPORTED_RAID_TYPES.map((t) => [t, volumeTypeOf(t)]));
    expect(reported).toEqual({
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
    });
  });

  it('picks a level when it is all a client sends', () => {
    expect(raidTypeForVolumeType('RawDevice', 1)).toBe('None');
    expect(raidTypeForVolumeType('NonRedundant', 3)).toBe('RAID0');
    expect(raidTypeForVolumeType('Mirrored', 2)).toBe('RAID1');
    expect(raidTypeForVolumeType('Mirrored', 3)).toBe('RAID1Triple');
    expect(raidTypeForVolumeType('Mirrored', 4)).toBe('RAID1');
    expect(raidTypeForVolumeType('StripedWithParity', 6)).toBe('RAID5');
    expect(raidTypeForVolumeType('SpannedMirrors', 6)).toBe('RAID10');
    expect(raidTypeForVolumeType('SpannedStripesWithParity', 8)).toBe('RAID50');
  });

  it('maps every level back to a VolumeType that resolves to a level of the same family', () => {
    for (const raidType of SUPPORTED_RAID_TYPES) {
      const volumeType = volumeTypeOf(raidType);
      expect(volumeTypeOf(raidTypeForVolumeType(volumeType, 3))).toBe(volumeType);
    }
  });
});
