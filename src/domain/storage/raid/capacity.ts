import { dataMembersPerSet } from './raid-levels.js';
import { memberSets, type VolumeLayout } from './member-layout.js';

/**
 * Strip sizes (bytes per member before the stripe moves to the next member) a client may ask
 * for: powers of two from 8 KiB to 1 MiB, the range of LSI/Broadcom MegaRAID controllers.
 */
export const STRIP_SIZES_BYTES: readonly number[] = [8, 16, 32, 64, 128, 256, 512, 1024].map((kib) => kib * 1024);

/** 64 KiB, the usual controller default and the strip Ironic assumes when sizing volumes. */
export const DEFAULT_STRIP_SIZE_BYTES = 64 * 1024;

/**
 * Exact for any safe integers: a float quotient near 2^53 can round across an integer
 * boundary, so the candidate is corrected with integer products.
 */
export function floorDiv(value: number, divisor: number): number {
  let quotient = Math.floor(value / divisor);
  while (quotient * divisor > value) quotient--;
  while ((quotient + 1) * divisor <= value) quotient++;
  return quotient;
}

export function ceilDiv(value: number, divisor: number): number {
  const quotient = floorDiv(value, divisor);
  return quotient * divisor === value ? quotient : quotient + 1;
}

export function roundDownTo(value: number, unit: number): number {
  return floorDiv(value, unit) * unit;
}

export function roundUpTo(value: number, unit: number): number {
  return ceilDiv(value, unit) * unit;
}

/** Members' worth of extents that hold data: the whole volume's usable capacity is this × extent. */
export function dataMemberCount(layout: VolumeLayout): number {
  return memberSets(layout).reduce((sum, set) => sum + dataMembersPerSet(layout.raidType, set.length), 0);
}

/** Usable bytes of a volume whose members each give `extentBytes`. */
export function usableCapacityBytes(layout: VolumeLayout, extentBytes: number): number {
  return dataMemberCount(layout) * extentBytes;
}

/**
 * The unit each member's extent is a multiple of: the strip for striped levels (a partial strip
 * holds nothing), the block otherwise. A strip is always a whole number of blocks, so a default
 * strip is widened to the next block multiple on drives with an unusual block size.
 */
export function allocationUnitBytes(striped: boolean, blockSizeBytes: number, stripSizeBytes: number): number {
  return striped ? roundUpTo(stripSizeBytes, blockSizeBytes) : blockSizeBytes;
}
