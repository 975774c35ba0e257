import type { Hypervisor } from '../libvirt/hypervisor.js';
import { DomainXmlFlag } from '../libvirt/constants.js';
import { readOwner, withOwner } from '../libvirt/xml/owner-metadata.js';
import { missing } from '../libvirt/errors.js';

/** What a store does with a domain, given the owner its metadata names. */
export type Ownership =
  | { readonly kind: 'mine' }
  /** No store owned it: this one writes itself in. */
  | { readonly kind: 'claim' }
  /** Another store's, taken over on purpose. */
  | { readonly kind: 'take-over'; readonly from: string }
  /** Another store's: left alone. */
  | { readonly kind: 'elsewhere'; readonly owner: string };

/** Pure: the owner libvirt names (none, this store, another), and whether taking over is asked for. */
export function decideOwnership(owner: string | undefined, store: string, takeOver: boolean): Ownership {
  if (owner === store) return { kind: 'mine' };
  if (owner === undefined) return { kind: 'claim' };
  return takeOver ? { kind: 'take-over', from: owner } : { kind: 'elsewhere', owner };
}

/**
 * Reads the domain's owner and, when this store is to own it, writes it in (the persistent
 * definition, which is what libvirt keeps; a running machine is not disturbed). Undefined when
 * libvirt has no such domain: the observer reports that.
 */
export async function settleDomainOwnership(
  client: Hypervisor,
  domainName: string,
  store: string,
  takeOver: boolean,
): Promise<Ownership | undefined> {
  const domain = await missing(client.domainLookupByName(domainName), (e) => e.isNoDomain);
  if (!domain) return undefined;
  const xml = await client.domainGetXml(domain, DomainXmlFlag.Inactive);
  const ownership = decideOwnership(readOwner(xml), store, takeOver);
  if (ownership.kind === 'claim' || ownership.kind === 'take-over') await client.domainDefineXml(withOwner(xml, store));
  return ownership;
}
