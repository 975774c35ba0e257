import type { RecordedEvent } from './event.js';

/**
 * One event as history shows it, the same in `redfish-emulator history --json` and in the
 * emulator's History API: the stored event with its meta spelled out, every field present
 * (null when the event has none), so consumers need not know which are optional.
 */
export function historyEntry(event: RecordedEvent) {
  return {
    position: event.position,
    recordedAt: event.recordedAt,
    stream: event.streamId,
    streamVersion: event.streamVersion,
    subject: event.subject,
    type: event.type,
    data: event.data,
    actor: event.meta.actor ?? null,
    requestId: event.meta.requestId ?? null,
    correlationId: event.meta.correlationId ?? null,
    causation: event.meta.causationId ?? null,
    schemaVersion: event.meta.schemaVersion ?? 1,
  };
}

export type HistoryEntry = ReturnType<typeof historyEntry>;
