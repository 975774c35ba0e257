import type { Hypervisor } from '../libvirt/hypervisor.js';
import { DomainXmlFlag } from '../libvirt/constants.js';
import { normalDomainXml } from '../libvirt/xml/domain-document.js';
import type { LabSystem } from '../lab/lab-systems.js';
import type { DomainLocks } from './domain-locks.js';

/** A pure change to a domain's definition: the XML it is to have, given the XML it has. */
export type DefinitionEdit = (xml: string) => string;

/** The calls a redefinition makes. */
export type DefinitionClient = Pick<Hypervisor, 'domainLookupByName' | 'domainGetXml' | 'domainDefineXml'>;

/**
 * Reads the system's persistent definition (a running machine keeps what it booted with until its
 * next boot), applies `edit` and defines the result, only when it differs from what libvirt has:
 * a change that is already there writes nothing. Under the domain's lock, so a change made at the
 * same time by another step (a volume's attach) is read first and kept. True when it defined.
 */
export async function redefineDomain(
  client: DefinitionClient,
  locks: DomainLocks,
  system: LabSystem,
  edit: DefinitionEdit,
): Promise<boolean> {
  return locks.exclusive(system, async () => {
    const domain = await client.domainLookupByName(system.domainName);
    const xml = await client.domainGetXml(domain, DomainXmlFlag.Inactive);
    const edited = edit(xml);
    if (normalDomainXml(edited) === normalDomainXml(xml)) return false;
    await client.domainDefineXml(edited);
    return true;
  });
}
