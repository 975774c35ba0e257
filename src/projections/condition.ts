import type { RecordedEvent } from '../eventstore/event.js';
import { loggedMessageOf } from './event-messages.js';

/** Resource.Condition, as a resource's Status carries it. */
export interface Condition {
  readonly MessageId: string;
  readonly MessageArgs: readonly string[];
  readonly Message: string;
  readonly Severity: string;
  readonly Timestamp: string;
  readonly Resolution: string;
}

/**
 * A failure the log recorded as a condition: the message its History LogEntry has (with the
 * reason libvirt or the image server gave), at the time it was recorded.
 */
export function conditionOf(failed: RecordedEvent, resolution: string): Condition {
  const { message, detail } = loggedMessageOf(failed, () => undefined)!;
  return {
    MessageId: message.MessageId,
    MessageArgs: message.MessageArgs,
    Message: `${message.Message} ${detail}`,
    Severity: message.MessageSeverity,
    Timestamp: failed.recordedAt,
    Resolution: resolution,
  };
}
