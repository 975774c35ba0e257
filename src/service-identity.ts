import { randomUUID } from 'node:crypto';
import type { EventStore } from './eventstore/event-store.js';
import { executeCommand } from './eventstore/execute-command.js';
import { serviceDecider } from './domain/service/service-decider.js';
import { SERVICE_STREAM, type ServiceCreated } from './domain/service/service-events.js';
import type { RecordedEvent } from './eventstore/event.js';
import { storeTagOf } from './domain/storage/backing-volume-name.js';

/** The Redfish protocol version the service root states (DSP0266). */
const REDFISH_VERSION = '1.20.0';

/** The service's identity is recorded once, on the first start of a store; later starts find it. */
export function ensureServiceCreated(store: EventStore): void {
  executeCommand(
    store,
    SERVICE_STREAM,
    serviceDecider,
    {
      type: 'CreateService',
      uuid: randomUUID(),
      name: 'Redfish Emulator BMC',
      product: 'redfish-emulator',
      redfishVersion: REDFISH_VERSION,
    },
    { actor: 'emulator' },
  );
}

/**
 * The store's identity: its service UUID, recorded once at its first start. Domains the lab owns
 * name their store by it (owner-metadata.ts).
 */
export function serviceUuid(store: EventStore): string {
  let uuid = serviceUuids.get(store);
  if (uuid === undefined) {
    const created = store.readStream(SERVICE_STREAM)[0] as RecordedEvent | undefined;
    if (created?.type !== 'ServiceCreated')
      throw new Error('the store has no service yet: ensureServiceCreated runs first');
    uuid = (created.data as ServiceCreated['data']).uuid;
    serviceUuids.set(store, uuid);
  }
  return uuid;
}

/** Read once per store: a store's service never changes. */
const serviceUuids = new WeakMap<EventStore, string>();

/**
 * The store's short tag (from its service UUID), which names of what it makes in a shared lab
 * carry: the backing volumes of two stores on one pool are then never named alike.
 */
export const storeTag = (store: EventStore): string => storeTagOf(serviceUuid(store));
