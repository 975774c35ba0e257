import type { RecordedEvent } from '../eventstore/event.js';
import type { SystemState } from '../domain/system/system-decider.js';
import { conditionOf, type Condition } from './condition.js';
import type { ViewDocument } from '../eventstore/projector.js';

export interface SystemStatus {
  readonly State: 'Starting' | 'Enabled' | 'Absent' | 'UnavailableOffline';
  readonly Health: 'OK' | 'Warning' | 'Critical';
  readonly Conditions?: readonly Condition[];
}

const RESOLUTION =
  'Check the domain in libvirt and request the reset again. The condition clears when a reset succeeds or the system is seen where the reset was to take it.';
const OWNED_ELSEWHERE_RESOLUTION =
  'Stop the emulator of the store that owns the domain, or start this one with --take-over (key lab.takeOver) to take the domain over.';
const UNREACHABLE_RESOLUTION =
  'Check that the libvirt daemon runs and that the emulator reaches it (address, TLS certificates, ssh key and known_hosts). The condition clears when it answers again.';

/**
 * A ComputerSystem's Status after `event`, from the system's state: UnavailableOffline (Critical,
 * with a condition naming the URI) while its libvirt daemon does not answer, Starting until libvirt has
 * been seen to hold its domain, Absent (Critical) while it does not, UnavailableOffline
 * (Critical, with a condition naming the owner) while another store owns it, otherwise Enabled. A reset
 * that libvirt failed stands in Conditions, and makes the health Warning, until the state no
 * longer holds it; the condition is made when the failure is recorded and kept as it was.
 */
export function systemStatus(state: SystemState, event: RecordedEvent, shown: ViewDocument | undefined): SystemStatus {
  const earlier = (shown?.['Status'] as SystemStatus | undefined)?.Conditions ?? [];
  const kept = (resolution: string, standing: boolean, madeBy: string) =>
    !standing
      ? []
      : event.type === madeBy
        ? [conditionOf(event, resolution)]
        : earlier.filter((c) => c.Resolution === resolution);
  const conditions = [
    ...kept(UNREACHABLE_RESOLUTION, state.hostUnreachable, 'HostUnreachableObserved'),
    ...kept(RESOLUTION, state.resetFailure !== undefined, 'ResetFailed'),
    ...kept(OWNED_ELSEWHERE_RESOLUTION, state.ownedElsewhere !== undefined, 'DomainOwnedElsewhere'),
  ];
  const withConditions = conditions.length > 0 ? { Conditions: conditions } : {};
  if (state.hostUnreachable) return { State: 'UnavailableOffline', Health: 'Critical', ...withConditions };
  if (state.domainMissing) return { State: 'Absent', Health: 'Critical', ...withConditions };
  // Another store's domain: this emulator neither powers nor changes it.
  if (state.ownedElsewhere !== undefined) return { State: 'UnavailableOffline', Health: 'Critical', ...withConditions };
  if (!state.domain && state.powerState === undefined) return { State: 'Starting', Health: 'OK', ...withConditions };
  return { State: 'Enabled', Health: conditions.length > 0 ? 'Warning' : 'OK', ...withConditions };
}
