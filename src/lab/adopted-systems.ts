import type { AdoptRule, SystemIds } from '../config/config.js';
import type { LibvirtConnections } from '../libvirt/connections.js';
import type { Hypervisor } from '../libvirt/hypervisor.js';
import { LibvirtConnectionError } from '../libvirt/errors.js';
import { readDomainXml } from '../libvirt/xml/domain-xml.js';
import { existingDomainSystem, type LabSystem } from './lab-systems.js';

/** A domain as libvirt lists it. */
export interface FoundDomain {
  readonly name: string;
  /** Canonical lower-case text, 8-4-4-4-12. */
  readonly uuid: string;
}

/** Redfish ids are path segments: a domain whose name is not one is left out, and said so. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const uuidText = (bytes: Buffer) =>
  bytes.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

/**
 * Which of the domains on a rule's URI it adopts: all of them when it names none, otherwise
 * those named or with a listed UUID. Domains a known system (configured, or adopted already)
 * stands for on the same URI, and names that cannot be a Redfish id, are left out (the second
 * are returned to report).
 */
export function selectAdopted(
  rule: AdoptRule,
  found: readonly FoundDomain[],
  known: readonly LabSystem[],
): { adopt: FoundDomain[]; unusable: string[] } {
  const everything = rule.names === undefined && rule.uuids === undefined;
  const uuids = new Set((rule.uuids ?? []).map((u) => u.toLowerCase()));
  const chosen = found.filter((d) => everything || rule.names?.includes(d.name) || uuids.has(d.uuid));
  const fresh = chosen.filter((d) => !known.some((s) => s.libvirtUri === rule.uri && s.domainName === d.name));
  return {
    adopt: fresh.filter((d) => SAFE_ID.test(d.name)),
    unusable: fresh.filter((d) => !SAFE_ID.test(d.name)).map((d) => d.name),
  };
}

/**
 * The systems the adopt rules find in libvirt that no known system stands for yet, each named
 * after its domain and described from its definition. Systems whose ids collide (the same name
 * on two URIs) keep the first.
 */
export async function discoverAdoptedSystems(
  connections: LibvirtConnections,
  rules: readonly AdoptRule[],
  known: readonly LabSystem[],
  log: (line: string) => void,
  /** What an adopted system's id is: its domain's name, or its UUID (lab.systemIds), as sushy-tools lists them. */
  idsBy: SystemIds = 'name',
): Promise<LabSystem[]> {
  const adopted: LabSystem[] = [];
  for (const rule of rules) {
    let client: Hypervisor;
    let domains: Awaited<ReturnType<Hypervisor['listAllDomainsWithState']>>;
    try {
      client = await connections.get(rule.uri);
      domains = await client.listAllDomainsWithState();
    } catch (err) {
      // A host that does not answer holds back only its own domains: they are adopted when it answers.
      if (!(err instanceof LibvirtConnectionError)) throw err;
      log(`lab: cannot list the domains to adopt on ${rule.uri} (${err.message}); they are adopted when it answers`);
      continue;
    }
    const { adopt, unusable } = selectAdopted(
      rule,
      domains.map(({ domain }) => ({ name: domain.name, uuid: uuidText(domain.uuid) })),
      known,
    );
    if (unusable.length > 0)
      log(`lab: not adopting ${unusable.join(', ')} on ${rule.uri}: a system id is letters, digits, '.', '_' and '-'`);
    for (const found of adopt) {
      const id = idsBy === 'uuid' ? found.uuid : found.name;
      if ([...known, ...adopted].some((s) => s.id === id)) {
        log(`lab: not adopting ${found.name} on ${rule.uri}: a system with the id ${id} exists already`);
        continue;
      }
      const description = readDomainXml(await client.domainGetXml(await client.domainLookupByName(found.name)));
      adopted.push(
        existingDomainSystem({
          id,
          name: found.name,
          libvirtUri: rule.uri,
          domainName: found.name,
          vcpus: description.vcpus,
          memoryMiB: Math.max(1, Math.round(description.memoryBytes / 2 ** 20)),
          firmware: description.firmware,
          config: { id, domain: found.name, libvirtUri: rule.uri },
        }),
      );
    }
  }
  return adopted;
}
