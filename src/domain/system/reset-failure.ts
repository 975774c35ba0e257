import type { PowerState, ResetFailed, ResetType } from './system-events.js';

/** Where a reset takes the machine: powered on, off, or through a boot. */
export type ResetAim = 'On' | 'Off' | 'Boot';

/**
 * A reset libvirt failed to carry out, and the machine has not got where it was to take it since:
 * a real BMC shows it on the system until then, so a client sees it without reading the log.
 */
export interface StandingResetFailure {
  readonly resetType: ResetType;
  /** The position of the request that failed. */
  readonly requestedAt: number;
  /** What shows the machine got there after all; none for an NMI, which only a later successful reset clears. */
  readonly aim?: ResetAim;
}

/** What a reset is for, given the power the machine had when it failed (as reset-actions.ts carries each one out). */
export function aimOf(resetType: ResetType, power: PowerState | undefined): ResetAim | undefined {
  switch (resetType) {
    case 'On':
    case 'ForceOn':
      return 'On';
    case 'ForceOff':
    case 'GracefulShutdown':
      return 'Off';
    case 'GracefulRestart':
    case 'ForceRestart':
      // A restart of a machine that is off starts it, which is a boot too.
      return 'Boot';
    case 'PushPowerButton':
      return power === 'Off' ? 'On' : 'Off';
    case 'Nmi':
      return undefined;
  }
}

export function resetFailureOf(failed: ResetFailed['data'], power: PowerState | undefined): StandingResetFailure {
  const aim = aimOf(failed.resetType, power);
  return { resetType: failed.resetType, requestedAt: failed.requestedAt, ...(aim !== undefined && { aim }) };
}

/** The failure, unless the machine has just got where the failed reset was to take it. */
export function stillStanding(
  failure: StandingResetFailure | undefined,
  reached: ResetAim | PowerState,
): StandingResetFailure | undefined {
  return failure?.aim === reached ? undefined : failure;
}
