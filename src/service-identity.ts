import { randomUUID } from 'node:crypto';
import type { EventStore } from './eventstore/event-store.js';
import { executeCommand } from './eventstore/execute-command.js';
import { serviceDecider } from './domain/service/service-decider.js';
import { SERVICE_STREAM } from './domain/service/service-events.js';

/** The Redfish protocol version the service root states (DSP0266). */
const REDFISH_VERSION = '1.20.0';

/** The service's identity is recorded once, on the first start of a store; later starts find it. */
export function ensureServiceCreated(store: EventStore): void {
  executeCommand(
    store,
    SERVICE_STREAM,
    serviceDecider,
    { type: 'CreateService', uuid: randomUUID(), name: 'Redfish Emulator BMC', product: 'redfish-emulator', redfishVersion: REDFISH_VERSION },
    { actor: 'emulator' },
  );
}
