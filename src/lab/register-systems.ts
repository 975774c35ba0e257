import type { EventStore } from '../eventstore/event-store.js';
import { executeCommand } from '../eventstore/execute-command.js';
import { systemDecider, type RegisterSystem } from '../domain/system/system-decider.js';
import { systemStream } from '../domain/system/system-events.js';
import { storageDecider } from '../domain/storage/storage-decider.js';
import { storageStream } from '../domain/storage/storage-events.js';
import type { LabSystem } from './lab-systems.js';
import { storageRegistration } from './lab-storage.js';
import { firmwareComponents } from './lab-firmware.js';

/** What the lab config says of a system, as the command that records it. */
export function registerSystemCommand(system: LabSystem): RegisterSystem {
  const verify = system.mediaVerifyCertificate;
  return { type: 'RegisterSystem', systemId: system.id, name: system.name, libvirtUri: system.libvirtUri, domainName: system.domainName, inventory: system.inventory, ...(verify !== undefined && { mediaVerifyCertificate: verify }) };
}

/** Records each configured system, its storage and its firmware (once, and again when its config changes). */
export function registerSystems(store: EventStore, systems: readonly LabSystem[]): void {
  for (const system of systems) {
    executeCommand(
      store,
      systemStream(system.id),
      systemDecider,
      registerSystemCommand(system),
      { actor: 'lab-config' },
    );
    for (const storage of system.config.storage ?? []) {
      const registration = storageRegistration(system, storage);
      executeCommand(store, storageStream(system.id, storage.id), storageDecider, { type: 'RegisterStorage', ...registration }, { actor: 'lab-config' });
    }
    // After its storage: the inventory shows versions on the controllers and drives it registered.
    executeCommand(store, systemStream(system.id), systemDecider, { type: 'RegisterFirmware', components: firmwareComponents(system) }, { actor: 'lab-config' });
  }
}
