import { attr, child, children, type XmlNode } from '../../xml.js';
import { buildDomainDocument, elementAt, parseDomainDocument } from './domain-document.js';

/**
 * Which store owns a domain, kept in the domain's `<metadata>` in a namespace of its own, so it
 * travels with the domain and another emulator (a second data directory on the same lab) sees
 * it; read it with `virsh metadata DOMAIN urn:redfish-emulator:owner:1`:
 *
 *   <rfeo:owner xmlns:rfeo="urn:redfish-emulator:owner:1" store="SERVICE-UUID"/>
 *
 * The store is named by its service UUID (the Redfish service root's UUID).
 */
export const OWNER_NAMESPACE = 'urn:redfish-emulator:owner:1';
const PREFIX = 'rfeo';
const ROOT = 'owner';

/** The name of our element among `metadata`'s children, whatever prefix it was written with. */
function ownName(metadata: XmlNode | undefined): string | undefined {
  if (!metadata) return undefined;
  return Object.keys(metadata).find((name) => {
    const [prefix, local] = name.includes(':')
      ? [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)]
      : ['', name];
    if (local !== ROOT) return false;
    const declaration = prefix ? `xmlns:${prefix}` : 'xmlns';
    return (attr(children(metadata, name)[0], declaration) ?? attr(metadata, declaration)) === OWNER_NAMESPACE;
  });
}

/** The store that owns the domain, or undefined when none has claimed it. */
export function readOwner(domainXml: string): string | undefined {
  const { domain } = parseDomainDocument(domainXml);
  const metadata = child(domain, 'metadata');
  const name = ownName(metadata);
  return name === undefined ? undefined : attr(children(metadata, name)[0], 'store');
}

/** The domain XML with `store` as its owner; every other element, other metadata included, is kept. */
export function withOwner(domainXml: string, store: string): string {
  const { document, domain } = parseDomainDocument(domainXml);
  const metadata = elementAt(domain, 'metadata');
  const existing = ownName(metadata);
  if (existing !== undefined) delete metadata[existing];
  metadata[`${PREFIX}:${ROOT}`] = [{ $: { [`xmlns:${PREFIX}`]: OWNER_NAMESPACE, store } }];
  return buildDomainDocument(document);
}
