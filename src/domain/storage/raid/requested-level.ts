import { problem, type RedfishProblem } from '../../problem.js';
import { isSupportedRaidType, type SupportedRaidType } from './raid-levels.js';
import { isVolumeType, raidTypeForVolumeType, volumeTypeOf } from './volume-type.js';

/** The level a create request asks for, and which request property asked for it. */
export interface RequestedLevel {
  readonly raidType: SupportedRaidType;
  /** Named in later refusals that concern the level (e.g. a drive count it cannot take). */
  readonly property: 'RAIDType' | 'VolumeType';
}

/**
 * RAIDType wins when present; VolumeType alone picks a level (see raidTypeForVolumeType). When
 * both are sent they must agree, as Ironic's requests always do (it sends both). A level this
 * module knows but the controller is not configured for is refused like an unknown value.
 */
export function resolveRequestedLevel(
  raidType: string | undefined,
  volumeType: string | undefined,
  memberCount: number,
  controllerRaidTypes: readonly SupportedRaidType[] | undefined,
): RequestedLevel | RedfishProblem {
  const offered = (level: SupportedRaidType): boolean =>
    controllerRaidTypes === undefined || controllerRaidTypes.includes(level);
  if (volumeType !== undefined && !isVolumeType(volumeType)) {
    return problem(400, 'PropertyValueNotInList', [volumeType, 'VolumeType'], ['#/VolumeType']);
  }
  if (raidType !== undefined) {
    if (!isSupportedRaidType(raidType) || !offered(raidType)) {
      return problem(400, 'PropertyValueNotInList', [raidType, 'RAIDType'], ['#/RAIDType']);
    }
    if (volumeType !== undefined && volumeTypeOf(raidType) !== volumeType) {
      return problem(400, 'PropertyValueConflict', ['VolumeType', 'RAIDType'], ['#/VolumeType', '#/RAIDType']);
    }
    return { raidType, property: 'RAIDType' };
  }
  if (volumeType === undefined) {
    return problem(400, 'CreateFailedMissingReqProperties', ['RAIDType'], ['#/RAIDType']);
  }
  const chosen = raidTypeForVolumeType(volumeType, memberCount);
  if (!offered(chosen)) return problem(400, 'PropertyValueNotInList', [volumeType, 'VolumeType'], ['#/VolumeType']);
  return { raidType: chosen, property: 'VolumeType' };
}
