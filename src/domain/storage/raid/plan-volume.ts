import { isProblem } from '../../decider.js';
import { problem, type RedfishProblem } from '../../problem.js';
import {
  allocationUnitBytes,
  ceilDiv,
  dataMemberCount,
  DEFAULT_STRIP_SIZE_BYTES,
  floorDiv,
  roundDownTo,
  roundUpTo,
  STRIP_SIZES_BYTES,
} from './capacity.js';
import type { DriveFacts } from './drive-facts.js';
import { freeBytesByDrive, type AllocatedVolume } from './free-space.js';
import { resolveMemberDrives } from './member-drives.js';
import { chooseSetSize, type VolumeLayout } from './member-layout.js';
import { RAID_LEVELS, type SupportedRaidType } from './raid-levels.js';
import { resolveRequestedLevel } from './requested-level.js';
import { volumeTypeOf, type VolumeType } from './volume-type.js';

/** The parts of a Volume create request (already parsed from JSON) that shape the allocation. */
export interface VolumeRequest {
  readonly raidType?: string;
  /** Deprecated; used to pick a level when RAIDType is absent. */
  readonly volumeType?: string;
  /** Links.Drives, as drive ids (see DriveFacts.id), in the order sent. */
  readonly drives: readonly string[];
  /** Omitted: the largest volume the members' free space allows. */
  readonly capacityBytes?: number;
  readonly stripSizeBytes?: number;
  /** Span size for RAID50/RAID60 (2 or 3 for RAID10/RAID10Triple, where it is implied). */
  readonly mediaSpanCount?: number;
}

export interface PlanOptions {
  /** The controller's configured levels; omitted: every level of SUPPORTED_RAID_TYPES. */
  readonly supportedRaidTypes?: readonly SupportedRaidType[];
}

/** Where a new volume goes and how big it is. */
export interface VolumeAllocation extends VolumeLayout {
  readonly volumeType: VolumeType;
  /** Bytes reserved on every member: a whole number of allocation units (strips or blocks). */
  readonly extentBytes: number;
  /** The volume's size: the request rounded up to whole blocks, or the largest that fits. */
  readonly capacityBytes: number;
  readonly blockSizeBytes: number;
  /** The strip in use; undefined for levels that do not stripe (None, RAID1, RAID1Triple). */
  readonly stripSizeBytes: number | undefined;
  /** The largest CapacityBytes these members could have given. */
  readonly largestCapacityBytes: number;
}

/**
 * Plans a new volume on one storage subsystem, or says why it cannot be made. Checks run in
 * this order and the first refusal wins: the level (RAIDType/VolumeType), the numbers
 * (CapacityBytes, StripSizeBytes, MediaSpanCount), the member count and span shape, each member
 * drive, the strip against the level, then the space. Every refusal is a 400.
 *
 * Capacity: extent = the smallest free space among the members, rounded down to the allocation
 * unit (the strip for striped levels, the block otherwise); largest volume = extent × data
 * members. A requested CapacityBytes is rounded up to whole blocks and each member's extent
 * rounded up to whole units, so extents may hold a little slack beyond the volume.
 */
export function planVolume(
  request: VolumeRequest,
  drives: readonly DriveFacts[],
  volumes: readonly AllocatedVolume[],
  options: PlanOptions = {},
): VolumeAllocation | RedfishProblem {
  const level = resolveRequestedLevel(
    request.raidType,
    request.volumeType,
    request.drives.length,
    options.supportedRaidTypes,
  );
  if (isProblem(level)) return level;
  const rule = RAID_LEVELS[level.raidType];

  const numbers = checkNumbers(request);
  if (numbers) return numbers;

  const setSize = chooseSetSize(level.raidType, request.drives.length, request.mediaSpanCount, level.property);
  if (isProblem(setSize)) return setSize;

  const members = resolveMemberDrives(request.drives, drives);
  if (isProblem(members)) return members;
  const first = members[0];
  if (first === undefined)
    return problem(400, 'ArraySizeTooShort', ['Links/Drives', rule.minMembers], ['#/Links/Drives']);
  const blockSizeBytes = first.blockSizeBytes;

  if (request.stripSizeBytes !== undefined) {
    if (!rule.striped) {
      return problem(
        400,
        'PropertyValueConflict',
        ['StripSizeBytes', level.property],
        ['#/StripSizeBytes', `#/${level.property}`],
      );
    }
    if (request.stripSizeBytes % blockSizeBytes !== 0) {
      return problem(
        400,
        'PropertyValueResourceConflict',
        ['StripSizeBytes', request.stripSizeBytes, first.id],
        ['#/StripSizeBytes'],
      );
    }
  }
  const unit = allocationUnitBytes(rule.striped, blockSizeBytes, request.stripSizeBytes ?? DEFAULT_STRIP_SIZE_BYTES);
  const stripSizeBytes = rule.striped ? unit : undefined;

  const layout: VolumeLayout = { raidType: level.raidType, members: [...request.drives], setSize };
  const dataMembers = dataMemberCount(layout);
  const free = freeBytesByDrive(drives, volumes);
  const tightest = tightestMember(members, free);
  // Capped so that CapacityBytes stays a safe integer (about 8 PiB), where JSON numbers are exact.
  const largestExtent = roundDownTo(Math.min(tightest.freeBytes, floorDiv(Number.MAX_SAFE_INTEGER, dataMembers)), unit);
  const largestCapacityBytes = largestExtent * dataMembers;

  const shape = {
    ...layout,
    volumeType: volumeTypeOf(level.raidType),
    blockSizeBytes,
    stripSizeBytes,
    largestCapacityBytes,
  };
  if (request.capacityBytes === undefined) {
    if (largestExtent === 0)
      return problem(400, 'ResourceExhaustion', [tightest.id], [`#/Links/Drives/${tightest.index}`]);
    return { ...shape, extentBytes: largestExtent, capacityBytes: largestCapacityBytes };
  }
  if (request.capacityBytes > largestCapacityBytes) {
    return problem(400, 'PropertyValueOutOfRange', [request.capacityBytes, 'CapacityBytes'], ['#/CapacityBytes']);
  }
  const capacityBytes = roundUpTo(request.capacityBytes, blockSizeBytes);
  return { ...shape, extentBytes: roundUpTo(ceilDiv(capacityBytes, dataMembers), unit), capacityBytes };
}

/** The member with the least free space: it bounds every member's extent. */
function tightestMember(
  members: readonly DriveFacts[],
  free: ReadonlyMap<string, number>,
): { id: string; index: number; freeBytes: number } {
  let tightest = { id: '', index: -1, freeBytes: Number.POSITIVE_INFINITY };
  members.forEach((drive, index) => {
    const freeBytes = free.get(drive.id) ?? 0;
    if (freeBytes < tightest.freeBytes) tightest = { id: drive.id, index, freeBytes };
  });
  return tightest;
}

/** Byte counts and span sizes are positive safe integers; strips come from a fixed list. */
function checkNumbers(request: VolumeRequest): RedfishProblem | undefined {
  const counts: readonly [string, number | undefined][] = [
    ['CapacityBytes', request.capacityBytes],
    ['StripSizeBytes', request.stripSizeBytes],
    ['MediaSpanCount', request.mediaSpanCount],
  ];
  for (const [property, value] of counts) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value))
      return problem(400, 'PropertyValueTypeError', [String(value), property], [`#/${property}`]);
    if (Number.isFinite(value) && !Number.isInteger(value))
      return problem(400, 'PropertyValueFormatError', [value, property], [`#/${property}`]);
    if (!Number.isSafeInteger(value) || value <= 0)
      return problem(400, 'PropertyValueOutOfRange', [value, property], [`#/${property}`]);
  }
  if (request.stripSizeBytes !== undefined && !STRIP_SIZES_BYTES.includes(request.stripSizeBytes)) {
    return problem(400, 'PropertyValueNotInList', [request.stripSizeBytes, 'StripSizeBytes'], ['#/StripSizeBytes']);
  }
  return undefined;
}
