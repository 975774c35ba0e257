import { describe, expect, it } from 'vitest';
import { assessVolume, driveFailureEffects } from '../../src/domain/storage/raid/fault-effects.js';
import type { VolumeLayout } from '../../src/domain/storage/raid/member-layout.js';
import { planVolume, type VolumeAllocation } from '../../src/domain/storage/raid/plan-volume.js';
import type { SupportedRaidType } from '../../src/domain/storage/raid/raid-levels.js';
import { expectAllocation, gibDrives } from './raid-fixtures.js';

function layout(raidType: SupportedRaidType, members: string, setSize = members.length): VolumeLayout {
  return { raidType, members: [...members], setSize };
}

/** Members are one-letter drive ids; failures are the letters that failed. */
const CASES: readonly [string, VolumeLayout, string, 'OK' | 'Degraded' | 'Failed'][] = [
  ['None, its drive fails', layout('None', 'a'), 'a', 'Failed'],
  ['RAID0, nothing fails', layout('RAID0', 'abc'), '', 'OK'],
  ['RAID0, one of three fails', layout('RAID0', 'abc'), 'b', 'Failed'],
  ['RAID1, one side fails', layout('RAID1', 'ab'), 'b', 'Degraded'],
  ['RAID1, both sides fail', layout('RAID1', 'ab'), 'ab', 'Failed'],
  ['RAID1Triple, two of three fail', layout('RAID1Triple', 'abc'), 'ac', 'Degraded'],
  ['RAID1Triple, all three fail', layout('RAID1Triple', 'abc'), 'abc', 'Failed'],
  ['RAID5, one fails', layout('RAID5', 'abcd'), 'c', 'Degraded'],
  ['RAID5, two fail', layout('RAID5', 'abcd'), 'ad', 'Failed'],
  ['RAID6, two fail', layout('RAID6', 'abcde'), 'be', 'Degraded'],
  ['RAID6, three fail', layout('RAID6', 'abcde'), 'abe', 'Failed'],
  ['RAID10, one per mirror pair', layout('RAID10', 'abcdef', 2), 'ace', 'Degraded'],
  ['RAID10, both members of one pair', layout('RAID10', 'abcdef', 2), 'cd', 'Failed'],
  ['RAID10, members of different pairs that sit side by side', layout('RAID10', 'abcdef', 2), 'bc', 'Degraded'],
  ['RAID10Triple, two in each triple', layout('RAID10Triple', 'abcdef', 3), 'abde', 'Degraded'],
  ['RAID10Triple, a whole triple', layout('RAID10Triple', 'abcdef', 3), 'def', 'Failed'],
  ['RAID50, one per span', layout('RAID50', 'abcdef', 3), 'cd', 'Degraded'],
  ['RAID50, two in one span', layout('RAID50', 'abcdef', 3), 'ef', 'Failed'],
  ['RAID50 of three spans, one in each', layout('RAID50', 'abcdefghi', 3), 'adg', 'Degraded'],
  ['RAID60, two per span', layout('RAID60', 'abcdefgh', 4), 'abgh', 'Degraded'],
  ['RAID60, three in one span', layout('RAID60', 'abcdefgh', 4), 'efg', 'Failed'],
  ['RAID5, a drive it does not use fails', layout('RAID5', 'abc'), 'xyz', 'OK'],
];

describe('volume condition after member failures', () => {
  it.each(CASES)('%s', (_, volume, failed, condition) => {
    const health = { OK: 'OK', Degraded: 'Warning', Failed: 'Critical' }[condition];
    const state = condition === 'Failed' ? 'UnavailableOffline' : 'Enabled';
    expect(assessVolume(volume, [...failed])).toMatchObject({ condition, health, state });
  });

  it('lists the failed members in member order', () => {
    expect(assessVolume(layout('RAID6', 'abcde'), ['e', 'x', 'b']).failedMembers).toEqual(['b', 'e']);
  });
});

describe('what a rebuild needs', () => {
  it('RAID1: the failed side, copied from the other', () => {
    expect(assessVolume(layout('RAID1', 'ab'), ['a']).rebuild).toEqual([{ member: 'a', set: 0, sources: ['b'] }]);
  });

  it('RAID10: each failed member from its own mirror partner', () => {
    expect(assessVolume(layout('RAID10', 'abcdef', 2), ['f', 'a']).rebuild).toEqual([
      { member: 'a', set: 0, sources: ['b'] },
      { member: 'f', set: 2, sources: ['e'] },
    ]);
  });

  it('RAID60: each failed member from the survivors of its span', () => {
    expect(assessVolume(layout('RAID60', 'abcdefgh', 4), ['b', 'c', 'h']).rebuild).toEqual([
      { member: 'b', set: 0, sources: ['a', 'd'] },
      { member: 'c', set: 0, sources: ['a', 'd'] },
      { member: 'h', set: 1, sources: ['e', 'f', 'g'] },
    ]);
  });

  it('nothing to rebuild when nothing failed or when the data is lost', () => {
    expect(assessVolume(layout('RAID5', 'abc'), []).rebuild).toEqual([]);
    expect(assessVolume(layout('RAID5', 'abc'), ['a', 'b']).rebuild).toEqual([]);
  });
});

describe('effects of one drive failing', () => {
  const volumes = [
    { id: 'v1', ...layout('RAID1', 'ab') },
    { id: 'v2', ...layout('RAID5', 'acd') },
    { id: 'v3', ...layout('RAID0', 'e') },
  ];

  it('touches only the volumes using the drive', () => {
    const effects = driveFailureEffects(volumes, 'a');
    expect(effects.map((e) => [e.volumeId, e.before.condition, e.after.condition])).toEqual([
      ['v1', 'OK', 'Degraded'],
      ['v2', 'OK', 'Degraded'],
    ]);
  });

  it('takes earlier failures into account', () => {
    const effects = driveFailureEffects(volumes, 'b', ['a']);
    expect(effects.map((e) => [e.volumeId, e.before.condition, e.after.condition])).toEqual([
      ['v1', 'Degraded', 'Failed'],
    ]);
    const again = driveFailureEffects(volumes, 'b', ['a', 'b']);
    expect(again.map((e) => [e.volumeId, e.before.condition, e.after.condition])).toEqual([
      ['v1', 'Degraded', 'Failed'],
    ]);
  });

  it('touches nothing when the drive holds no volume', () => {
    expect(driveFailureEffects(volumes, 'z')).toEqual([]);
  });
});

describe('planned layouts fail the way their level says', () => {
  it('a RAID50 planned over six drives survives one failure per span of three, not two in one', () => {
    const planned = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID50', drives: ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'] }, gibDrives(6), []),
    );
    expect(assessVolume(planned, ['d0', 'd3']).condition).toBe('Degraded');
    expect(assessVolume(planned, ['d0', 'd2']).condition).toBe('Failed');
  });

  it('a RAID10 pairs members in the order the client listed them', () => {
    const planned = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID10', drives: ['d3', 'd0', 'd2', 'd1'] }, gibDrives(4), []),
    );
    expect(assessVolume(planned, ['d3', 'd0']).condition).toBe('Failed');
    expect(assessVolume(planned, ['d3', 'd1']).condition).toBe('Degraded');
  });
});
