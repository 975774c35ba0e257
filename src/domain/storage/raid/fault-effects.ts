import { failuresSurvivedPerSet } from './raid-levels.js';
import { memberSets, type VolumeLayout } from './member-layout.js';

/** How many member failures a volume survives. */
export interface FaultTolerance {
  readonly sets: number;
  /** Failures each redundancy set survives (a RAID10 mirror pair: 1; a RAID60 span: 2). */
  readonly perSet: number;
  /** Any this many failures are survived, wherever they land. */
  readonly guaranteed: number;
  /** The most failures survivable when they are spread as luckily as possible. */
  readonly maximum: number;
}

export function faultTolerance(layout: VolumeLayout): FaultTolerance {
  const survived = memberSets(layout).map((set) => failuresSurvivedPerSet(layout.raidType, set.length));
  const guaranteed = survived.length === 0 ? 0 : Math.min(...survived);
  return { sets: survived.length, perSet: guaranteed, guaranteed, maximum: survived.reduce((a, b) => a + b, 0) };
}

/** OK: every member works. Degraded: members failed but every set still holds its data. Failed: data lost. */
export type VolumeCondition = 'OK' | 'Degraded' | 'Failed';

/** A failed member whose data can be rebuilt onto a replacement drive. */
export interface MemberRebuild {
  readonly member: string;
  /** Index of its redundancy set (mirror pair, span) in memberSets order. */
  readonly set: number;
  /**
   * The set's surviving members, the data a rebuild reads: any one of them holds a mirror's
   * copy; a parity set needs them all.
   */
  readonly sources: readonly string[];
}

export interface VolumeFaultState {
  readonly condition: VolumeCondition;
  /** Redfish Status of the volume: Enabled/OK, Enabled/Warning, or UnavailableOffline/Critical. */
  readonly state: 'Enabled' | 'UnavailableOffline';
  readonly health: 'OK' | 'Warning' | 'Critical';
  readonly failedMembers: readonly string[];
  /** What to rebuild, in member order; empty when nothing failed or when the data is lost. */
  readonly rebuild: readonly MemberRebuild[];
}

/** A volume's condition given the drives that have failed (drives it does not use are ignored). */
export function assessVolume(layout: VolumeLayout, failedDrives: Iterable<string>): VolumeFaultState {
  const failed = new Set(failedDrives);
  const sets = memberSets(layout);
  const failedMembers = layout.members.filter((member) => failed.has(member));
  const lost = sets.some(
    (set) => set.filter((m) => failed.has(m)).length > failuresSurvivedPerSet(layout.raidType, set.length),
  );
  if (lost) return { condition: 'Failed', state: 'UnavailableOffline', health: 'Critical', failedMembers, rebuild: [] };
  if (failedMembers.length === 0)
    return { condition: 'OK', state: 'Enabled', health: 'OK', failedMembers, rebuild: [] };
  const rebuild = sets.flatMap((set, index) => {
    const sources = set.filter((m) => !failed.has(m));
    return set.filter((m) => failed.has(m)).map((member) => ({ member, set: index, sources }));
  });
  return { condition: 'Degraded', state: 'Enabled', health: 'Warning', failedMembers, rebuild };
}

export interface DriveFailureEffect {
  readonly volumeId: string;
  readonly before: VolumeFaultState;
  readonly after: VolumeFaultState;
}

/**
 * The volumes a drive's failure touches, with their condition before and after, given the
 * drives already failed. Volumes not using the drive are not listed.
 */
export function driveFailureEffects(
  volumes: readonly (VolumeLayout & { readonly id: string })[],
  driveId: string,
  alreadyFailed: Iterable<string> = [],
): readonly DriveFailureEffect[] {
  const before = new Set(alreadyFailed);
  before.delete(driveId);
  const after = new Set([...before, driveId]);
  return volumes
    .filter((volume) => volume.members.includes(driveId))
    .map((volume) => ({
      volumeId: volume.id,
      before: assessVolume(volume, before),
      after: assessVolume(volume, after),
    }));
}
