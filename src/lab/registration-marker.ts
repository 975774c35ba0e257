import { createHash } from 'node:crypto';
import type { EventStore } from '../eventstore/event-store.js';
import { StoreFacts } from '../eventstore/store-facts.js';

/** Where the marker is kept, in store_facts. */
const KEY = 'lab_registration';

/**
 * What the store held when the lab's registrations were last made equal to a config: the
 * digest of what that config's registration commands are made from (registerSystems), and the
 * newest registration event then.
 *
 * A registration (SystemRegistered, StorageRegistered, FirmwareRegistered) is what a stream's
 * state compares a config with, and only those events change it. So while the newest of them
 * is still the one the marker names, every registered stream still holds what the marked
 * commands say, and a start whose config has the same digest has nothing to record: it reads
 * no system's state (two and a half seconds at ten thousand systems). The marker is beside the log,
 * never part of it: without it, or with it stale, a start compares every stream as before.
 */
export class RegistrationMarker {
  private readonly facts: StoreFacts;
  private readonly selectNewest;

  constructor(store: EventStore) {
    this.facts = new StoreFacts(store.db);
    // The partial index of migration 005 answers this with one look.
    this.selectNewest = store.db
      .prepare<[], number | null>(
        "SELECT max(position) FROM events WHERE type IN ('SystemRegistered', 'StorageRegistered', 'FirmwareRegistered')",
      )
      .pluck();
  }

  /** Whether the registrations are those of the config of `digest`, as marked. */
  holds(digest: string): boolean {
    const marked = this.facts.get(KEY);
    return marked !== undefined && marked === this.value(digest);
  }

  /** Marks the registrations as those of the config of `digest`, as of now. */
  mark(digest: string): void {
    this.facts.put(KEY, this.value(digest));
  }

  private value(digest: string): string {
    return JSON.stringify({ digest, newestRegistration: this.selectNewest.get() ?? 0 });
  }
}

/** The digest of what registrations are made from (JSON), for the marker. */
export function registrationDigest(sources: unknown): string {
  return createHash('sha256').update(JSON.stringify(sources)).digest('base64url');
}
