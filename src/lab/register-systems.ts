import type { EventStore } from '../eventstore/event-store.js';
import { executeCommand } from '../eventstore/execute-command.js';
import { systemDecider, type RegisterSystem } from '../domain/system/system-decider.js';
import { systemStream } from '../domain/system/system-events.js';
import { storageDecider } from '../domain/storage/storage-decider.js';
import { storageStream } from '../domain/storage/storage-events.js';
import type { LabSystem } from './lab-systems.js';
import { storageRegistration } from './lab-storage.js';
import type { Decider } from '../domain/decider.js';
import { stateKey } from '../projections/aggregate-state.js';
import { firmwareComponents } from './lab-firmware.js';

/** What the lab config says of a system, as the command that records it. */
export function registerSystemCommand(system: LabSystem): RegisterSystem {
  const verify = system.mediaVerifyCertificate;
  return {
    type: 'RegisterSystem',
    systemId: system.id,
    name: system.name,
    libvirtUri: system.libvirtUri,
    domainName: system.domainName,
    inventory: system.inventory,
    ...(verify !== undefined && { mediaVerifyCertificate: verify }),
  };
}

/**
 * Records what the config says unless the decider, given the state the projections keep of the
 * stream, would record nothing: a start with an unchanged config then reads no stream, however
 * long the lab's history (folding each system's whole stream was most of a start's time).
 */
function recordIfChanged<Command extends { type: string }, Event extends { type: string; data: unknown }, State>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, Event, State>,
  command: Command,
): void {
  const stored = store.views.get(stateKey(streamId));
  if (stored) {
    const decided = decider.decide(command, (JSON.parse(stored.body) as { state: State }).state);
    if (Array.isArray(decided) && decided.length === 0) return;
  }
  executeCommand(store, streamId, decider, command, { actor: 'lab-config' });
}

/** Records each configured system, its storage and its firmware (once, and again when its config changes). */
export function registerSystems(store: EventStore, systems: readonly LabSystem[]): void {
  for (const system of systems) {
    recordIfChanged(store, systemStream(system.id), systemDecider, registerSystemCommand(system));
    for (const storage of system.config.storage ?? []) {
      const registration = storageRegistration(system, storage);
      recordIfChanged(store, storageStream(system.id, storage.id), storageDecider, {
        type: 'RegisterStorage',
        ...registration,
      });
    }
    // After its storage: the inventory shows versions on the controllers and drives it registered.
    recordIfChanged(store, systemStream(system.id), systemDecider, {
      type: 'RegisterFirmware',
      components: firmwareComponents(system),
    });
  }
}
