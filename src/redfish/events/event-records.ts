import type { RecordedEvent } from '../../eventstore/event.js';
import type { EventType } from '../../domain/event-service/event-service-events.js';
import { filledMessage, type Announcement } from '../../projections/event-messages.js';

/**
 * The Redfish events SSE clients and push subscribers receive. One log position gives at most
 * one Event payload, whose records are what the event announces (announcementsOf, in the
 * event → message table, src/projections/event-messages.ts).
 */

/** The `@odata.type` of every Event payload. */
export const EVENT_ODATA_TYPE = '#Event.v1_13_0.Event';

/** One entry of an Event payload's `Events` (its MemberId is given by the payload it goes in). */
export interface EventRecord {
  readonly EventType: EventType;
  readonly EventId: string;
  readonly EventTimestamp: string;
  readonly EventGroupId: number;
  readonly MessageId: string;
  readonly Message: string;
  readonly MessageArgs: readonly string[];
  readonly MessageSeverity: string;
  readonly OriginOfCondition: { readonly '@odata.id': string };
}

/**
 * An announcement as the event record clients receive. EventId is `{position}.{index}` (the index
 * among everything the event announces, so a filtered subscription sees the same ids as an SSE
 * client), unique across the log; EventGroupId is the position, shared by one event's records.
 */
export function eventRecord(event: RecordedEvent, announcement: Announcement, index: number): EventRecord {
  const message = filledMessage(announcement);
  return {
    EventType: announcement.eventType,
    EventId: `${event.position}.${index}`,
    EventTimestamp: event.recordedAt,
    EventGroupId: event.position,
    MessageId: message.MessageId,
    Message: message.Message,
    MessageArgs: message.MessageArgs,
    MessageSeverity: message.MessageSeverity,
    OriginOfCondition: { '@odata.id': announcement.origin },
  };
}

/** The Redfish Event payload of one log position: its records, and the subscriber's Context when it has one. */
export function eventPayload(
  event: RecordedEvent,
  records: readonly EventRecord[],
  context?: string | null,
): Record<string, unknown> {
  return {
    '@odata.type': EVENT_ODATA_TYPE,
    Id: String(event.position),
    Name: 'Redfish Event',
    ...(typeof context === 'string' && { Context: context }),
    Events: records.map((record, i) => ({ MemberId: String(i), ...record })),
    'Events@odata.count': records.length,
  };
}
