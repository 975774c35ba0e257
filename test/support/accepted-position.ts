import type { EventStore } from '../../src/eventstore/event-store.js';
import { REFUSALS_STREAM } from '../../src/domain/refusals/refusal-events.js';

/**
 * The position of the newest event other than a record of a refused request: what a refusal
 * must leave as it was ("records nothing" but that it was refused).
 */
export function acceptedPosition(store: EventStore): number {
  return (
    (store.db.prepare('SELECT max(position) FROM events WHERE stream_id <> ?').pluck().get(REFUSALS_STREAM) as
      | number
      | null) ?? 0
  );
}
