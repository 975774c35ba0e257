import type { RecordedEvent } from '../eventstore/event.js';
import type { SystemState } from '../domain/system/system-decider.js';
import { describeEvent } from './event-descriptions.js';
import type { ViewDocument } from './projector.js';

/** Resource.Condition, as the Status of a ComputerSystem carries it. */
export interface Condition {
  readonly MessageId: string;
  readonly MessageArgs: readonly string[];
  readonly Message: string;
  readonly Severity: string;
  readonly Timestamp: string;
  readonly Resolution: string;
}

export interface SystemStatus {
  readonly State: 'Starting' | 'Enabled' | 'Absent';
  readonly Health: 'OK' | 'Warning' | 'Critical';
  readonly Conditions?: readonly Condition[];
}

const RESOLUTION =
  'Check the domain in libvirt and request the reset again. The condition clears when a reset succeeds or the system is seen where the reset was to take it.';

/**
 * A failed reset as a condition: the message its History LogEntry has (ResourceErrorsDetected on
 * PowerState, with libvirt's message), at the time it was recorded.
 */
function resetFailedCondition(failed: RecordedEvent): Condition {
  const { message, detail } = describeEvent(failed, () => undefined)!;
  return {
    MessageId: message.MessageId,
    MessageArgs: message.MessageArgs,
    Message: `${message.Message} ${detail}`,
    Severity: message.MessageSeverity,
    Timestamp: failed.recordedAt,
    Resolution: RESOLUTION,
  };
}

/**
 * A ComputerSystem's Status after `event`, from the system's state: Starting until libvirt has
 * been seen to hold its domain, Absent (Critical) while it does not, otherwise Enabled. A reset
 * that libvirt failed stands in Conditions, and makes the health Warning, until the state no
 * longer holds it; the condition is made when the failure is recorded and kept as it was.
 */
export function systemStatus(state: SystemState, event: RecordedEvent, shown: ViewDocument | undefined): SystemStatus {
  const earlier = (shown?.['Status'] as SystemStatus | undefined)?.Conditions;
  const conditions = !state.resetFailure ? [] : event.type === 'ResetFailed' ? [resetFailedCondition(event)] : (earlier ?? []);
  const withConditions = conditions.length > 0 ? { Conditions: conditions } : {};
  if (state.domainMissing) return { State: 'Absent', Health: 'Critical', ...withConditions };
  if (!state.domain && state.powerState === undefined) return { State: 'Starting', Health: 'OK', ...withConditions };
  return { State: 'Enabled', Health: conditions.length > 0 ? 'Warning' : 'OK', ...withConditions };
}
