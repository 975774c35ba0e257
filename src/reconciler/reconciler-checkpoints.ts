import type { EventStore } from '../eventstore/event-store.js';

/** The names under which the reconcilers keep their place in the log (EventStore.checkpoint). */
export const SYSTEM_RECONCILER = 'system-reconciler';
export const STORAGE_RECONCILER = 'storage-reconciler';
export const FIRMWARE_FETCHER = 'firmware-fetcher';

/**
 * On a store the reconcilers never ran on, their place starts where this run of the service
 * starts: what the log held before (an imported log, a history) is not theirs to carry out, and
 * everything accepted from now on is, even when they start later than the service answers
 * (libvirt unreachable, the lab still being defined). Called before the service listens.
 */
export function claimReconcilerCheckpoints(store: EventStore): void {
  for (const name of [SYSTEM_RECONCILER, STORAGE_RECONCILER, FIRMWARE_FETCHER]) {
    if (store.checkpoint(name) === undefined) store.saveCheckpoint(name, store.lastPosition());
  }
}
