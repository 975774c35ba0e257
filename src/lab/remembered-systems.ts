import type { AdoptRule } from '../config/config.js';
import type { EventStore } from '../eventstore/event-store.js';
import type { SystemRegistered } from '../domain/system/system-events.js';
import type { LabSystem } from './lab-systems.js';

/**
 * The systems adopted on an earlier run, as the log registered them, that are not among `known`:
 * they stay the lab's systems, observed like the others, so one whose domain went away while the
 * emulator was stopped is shown Absent rather than as it was last seen. Only those on a URI an
 * adopt rule still names: dropping the rule drops them from what the lab looks after.
 */
export function rememberedSystems(store: EventStore, known: readonly LabSystem[], rules: readonly AdoptRule[]): LabSystem[] {
  const rows = store.db.prepare("SELECT data FROM events WHERE type = 'SystemRegistered' ORDER BY position").all() as { data: string }[];
  const latest = new Map<string, SystemRegistered['data']>();
  for (const row of rows) {
    const data = JSON.parse(row.data) as SystemRegistered['data'];
    latest.set(data.systemId, data);
  }
  return [...latest.values()]
    .filter((s) => !known.some((k) => k.id === s.systemId) && rules.some((rule) => rule.uri === s.libvirtUri))
    .map((s) => ({
      id: s.systemId,
      name: s.name,
      libvirtUri: s.libvirtUri,
      domainName: s.domainName,
      // Only a configured system's domain is ever defined from these; an adopted one is read.
      vcpus: 1,
      memoryMiB: 128,
      firmware: 'BIOS' as const,
      config: { id: s.systemId, domain: s.domainName, libvirtUri: s.libvirtUri },
    }));
}
