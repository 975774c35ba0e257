import { problem, type RedfishProblem } from '../../problem.js';
import { RAID_LEVELS, type SupportedRaidType } from './raid-levels.js';

/** A volume's shape: its level and its members in order, cut into sets of `setSize`. */
export interface VolumeLayout {
  readonly raidType: SupportedRaidType;
  /** Drive ids in the order the client listed them; consecutive members share a set. */
  readonly members: readonly string[];
  /**
   * Members per redundancy set: all members for single-set levels, 2 or 3 for the mirrors of
   * RAID10/RAID10Triple, the span size for RAID50/RAID60 (what Redfish calls MediaSpanCount).
   */
  readonly setSize: number;
}

/**
 * The redundancy sets, members taken in order: RAID10 over [a, b, c, d] mirrors a with b and c
 * with d; RAID50 over six members with spans of three has [m0, m1, m2] and [m3, m4, m5].
 */
export function memberSets(layout: VolumeLayout): readonly (readonly string[])[] {
  const size = Number.isSafeInteger(layout.setSize) && layout.setSize >= 1 ? layout.setSize : layout.members.length;
  const sets: string[][] = [];
  for (let start = 0; start < layout.members.length; start += size)
    sets.push(layout.members.slice(start, start + size));
  return sets;
}

const DRIVES = 'Links/Drives';
const DRIVES_POINTER = '#/Links/Drives';

/**
 * Checks a member count against a level and picks the set size. `mediaSpanCount`, when given,
 * is already known to be a positive integer. Without it, RAID50/RAID60 take the fewest equal
 * spans (two whenever the count is even), which keeps the most capacity and is the layout
 * Ironic assumes when it computes the largest volume it can ask for.
 */
export function chooseSetSize(
  raidType: SupportedRaidType,
  memberCount: number,
  mediaSpanCount: number | undefined,
  levelProperty: 'RAIDType' | 'VolumeType',
): number | RedfishProblem {
  const rule = RAID_LEVELS[raidType];
  if (memberCount < rule.minMembers)
    return problem(400, 'ArraySizeTooShort', [DRIVES, rule.minMembers], [DRIVES_POINTER]);
  if (rule.maxMembers !== undefined && memberCount > rule.maxMembers) {
    return problem(400, 'ArraySizeTooLong', [DRIVES, rule.maxMembers], [DRIVES_POINTER]);
  }
  const levelPointer = `#/${levelProperty}`;
  const grouping = rule.grouping;
  if (grouping.kind === 'single') {
    if (mediaSpanCount !== undefined) {
      return problem(
        400,
        'PropertyValueConflict',
        ['MediaSpanCount', levelProperty],
        ['#/MediaSpanCount', levelPointer],
      );
    }
    return memberCount;
  }
  if (grouping.kind === 'fixed') {
    if (mediaSpanCount !== undefined && mediaSpanCount !== grouping.size) {
      return problem(
        400,
        'PropertyValueConflict',
        ['MediaSpanCount', levelProperty],
        ['#/MediaSpanCount', levelPointer],
      );
    }
    if (memberCount % grouping.size !== 0)
      return problem(400, 'PropertyValueConflict', [DRIVES, levelProperty], [DRIVES_POINTER, levelPointer]);
    return grouping.size;
  }
  if (mediaSpanCount !== undefined) {
    if (mediaSpanCount < grouping.minSpanSize) {
      return problem(400, 'PropertyValueOutOfRange', [mediaSpanCount, 'MediaSpanCount'], ['#/MediaSpanCount']);
    }
    if (memberCount % mediaSpanCount !== 0 || memberCount / mediaSpanCount < 2) {
      return problem(400, 'PropertyValueConflict', [DRIVES, 'MediaSpanCount'], [DRIVES_POINTER, '#/MediaSpanCount']);
    }
    return mediaSpanCount;
  }
  for (let spans = 2; memberCount / spans >= grouping.minSpanSize; spans++) {
    if (memberCount % spans === 0) return memberCount / spans;
  }
  return problem(400, 'PropertyValueConflict', [DRIVES, levelProperty], [DRIVES_POINTER, levelPointer]);
}
