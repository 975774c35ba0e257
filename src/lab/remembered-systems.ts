import type { AdoptRule } from '../config/config.js';
import type { EventStore } from '../eventstore/event-store.js';
import { loadState } from '../eventstore/execute-command.js';
import { systemDecider } from '../domain/system/system-decider.js';
import { TOP_LEVEL_COLLECTIONS } from '../projections/service-root.js';
import { existingDomainSystem, LAB_DEFAULTS, type LabSystem } from './lab-systems.js';

/**
 * The systems adopted on an earlier run, as the log registered them, that are not among `known`:
 * they stay the lab's systems, observed like the others, so one whose domain went away while the
 * emulator was stopped is shown Absent rather than as it was last seen. Only those on a URI an
 * adopt rule still names: dropping the rule drops them from what the lab looks after. Found from
 * the Systems collection and each one's own stream, never by reading through the log.
 */
export function rememberedSystems(
  store: EventStore,
  known: readonly LabSystem[],
  rules: readonly AdoptRule[],
): LabSystem[] {
  if (rules.length === 0) return [];
  const collection = store.views.get(TOP_LEVEL_COLLECTIONS.Systems.id);
  const members = collection ? (JSON.parse(collection.body) as { Members: { '@odata.id': string }[] }).Members : [];
  return members.flatMap(({ '@odata.id': stream }) => {
    const registration = loadState(store, stream, systemDecider).state.registration;
    if (
      !registration ||
      known.some((k) => k.id === registration.systemId) ||
      !rules.some((rule) => rule.uri === registration.libvirtUri)
    )
      return [];
    const { systemId: id, name, libvirtUri, domainName } = registration;
    // vcpus, memory and firmware only ever define a configured system's domain; an adopted one is read.
    const { vcpus, memoryMiB, firmware } = LAB_DEFAULTS;
    return [
      existingDomainSystem({
        id,
        name,
        libvirtUri,
        domainName,
        vcpus,
        memoryMiB,
        firmware,
        config: { id, domain: domainName, libvirtUri },
      }),
    ];
  });
}
