import type { RecordedEvent } from '../../eventstore/event.js';
import type { EventStore } from '../../eventstore/event-store.js';
import { storageDecider, type StorageState } from '../../domain/storage/storage-decider.js';
import type { StorageEvent } from '../../domain/storage/storage-events.js';
import { announcementsOf, type Announcement } from '../../projections/event-messages.js';
import { isStorageStream } from '../../domain/stream-ids.js';

interface Folded {
  readonly version: number;
  readonly state: StorageState;
}

/**
 * Gives each event of the log, taken in order, its announcements. Some storage events need the
 * storage's state just before them (whether a finished task deleted its volume, which volumes a
 * failed drive carries): the tracker folds each storage stream as its events go by, reading the
 * stream's earlier events from the store the first time it meets one. One per reader of the log
 * (an SSE connection, a push subscription), since each is at its own place in it.
 */
export class AnnouncementTracker {
  private readonly storage = new Map<string, Folded>();

  constructor(private readonly store: EventStore) {}

  announce(event: RecordedEvent): Announcement[] {
    if (!isStorageStream(event.streamId)) return announcementsOf(event);
    const before = this.stateBefore(event);
    const after = storageDecider.evolve(before, { type: event.type, data: event.data } as StorageEvent);
    this.storage.set(event.streamId, { version: event.streamVersion, state: after });
    return announcementsOf(event, { storageBefore: before });
  }

  private stateBefore(event: RecordedEvent): StorageState {
    const known = this.storage.get(event.streamId);
    if (known?.version === event.streamVersion - 1) return known.state;
    const from =
      known && known.version < event.streamVersion ? known : { version: 0, state: storageDecider.initialState };
    let state = from.state;
    for (const earlier of this.store.readStream(event.streamId, from.version)) {
      if (earlier.streamVersion >= event.streamVersion) break;
      state = storageDecider.evolve(state, { type: earlier.type, data: earlier.data } as StorageEvent);
    }
    return state;
  }
}
