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
import { RegistrationMarker, registrationDigest } from './registration-marker.js';

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

/** One registration a config asks for: the stream it goes to and the command, recorded if it changes anything. */
interface Registration {
  readonly streamId: string;
  readonly command: { readonly type: string };
  record(store: EventStore): void;
}

function registration<Command extends { type: string }, Event extends { type: string; data: unknown }, State>(
  streamId: string,
  decider: Decider<Command, Event, State>,
  command: Command,
): Registration {
  return { streamId, command, record: (store) => recordIfChanged(store, streamId, decider, command) };
}

/** A system's registration, its storage's and its firmware's, in the order they are recorded. */
function registrationsOf(system: LabSystem): Registration[] {
  return [
    registration(systemStream(system.id), systemDecider, registerSystemCommand(system)),
    ...(system.config.storage ?? []).map((storage) =>
      registration(storageStream(system.id, storage.id), storageDecider, {
        type: 'RegisterStorage',
        ...storageRegistration(system, storage),
      }),
    ),
    // After its storage: the inventory shows versions on the controllers and drives it registered.
    registration(systemStream(system.id), systemDecider, {
      type: 'RegisterFirmware',
      components: firmwareComponents(system),
    }),
  ];
}

/**
 * What the registrations of `systems` are made from, in a form whose digest changes whenever
 * their commands would: every system's id, each configured system's commands, and for a
 * simulated section its config and the commands of its first and last systems. A section's
 * systems are made alike from one template, differing only by what their index fills in, so
 * those two stand for the rules that make all of them, and ten thousand systems' commands (35
 * MB of JSON) are not written out at every start.
 */
function registrationSources(systems: readonly LabSystem[]): unknown[] {
  const commands = (system: LabSystem) => registrationsOf(system).map(({ streamId, command }) => [streamId, command]);
  const sections = new Map<object, LabSystem[]>();
  for (const system of systems) {
    if (!system.section) continue;
    const members = sections.get(system.section);
    if (members) members.push(system);
    else sections.set(system.section, [system]);
  }
  return [
    systems.map((system) => system.id),
    systems.filter((system) => !system.section).map(commands),
    [...sections].map(([section, members]) => [section, commands(members[0]!), commands(members.at(-1)!)]),
  ];
}

/**
 * Records each configured system, its storage and its firmware (once, and again when its config
 * changes). A start whose config gives the commands the store last registered, with no
 * registration since, compares nothing (RegistrationMarker).
 */
export function registerSystems(store: EventStore, systems: readonly LabSystem[]): void {
  const marker = new RegistrationMarker(store);
  const digest = registrationDigest(registrationSources(systems));
  if (marker.holds(digest)) return;
  for (const system of systems) for (const registration of registrationsOf(system)) registration.record(store);
  marker.mark(digest);
}
