import type { RecordedEvent } from '../eventstore/event.js';
import type { SystemState } from '../domain/system/system-decider.js';
import { conditionOf, type Condition } from './condition.js';
import type { ViewDocument } from '../eventstore/projector.js';

export interface SystemStatus {
  readonly State: 'Starting' | 'Enabled' | 'Absent';
  readonly Health: 'OK' | 'Warning' | 'Critical';
  readonly Conditions?: readonly Condition[];
}

const RESOLUTION =
  'Check the domain in libvirt and request the reset again. The condition clears when a reset succeeds or the system is seen where the reset was to take it.';

/**
 * A ComputerSystem's Status after `event`, from the system's state: Starting until libvirt has
 * been seen to hold its domain, Absent (Critical) while it does not, otherwise Enabled. A reset
 * that libvirt failed stands in Conditions, and makes the health Warning, until the state no
 * longer holds it; the condition is made when the failure is recorded and kept as it was.
 */
export function systemStatus(state: SystemState, event: RecordedEvent, shown: ViewDocument | undefined): SystemStatus {
  const earlier = (shown?.['Status'] as SystemStatus | undefined)?.Conditions;
  const conditions = !state.resetFailure ? [] : event.type === 'ResetFailed' ? [conditionOf(event, RESOLUTION)] : (earlier ?? []);
  const withConditions = conditions.length > 0 ? { Conditions: conditions } : {};
  if (state.domainMissing) return { State: 'Absent', Health: 'Critical', ...withConditions };
  if (!state.domain && state.powerState === undefined) return { State: 'Starting', Health: 'OK', ...withConditions };
  return { State: 'Enabled', Health: conditions.length > 0 ? 'Warning' : 'OK', ...withConditions };
}
