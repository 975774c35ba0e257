import { Builder } from 'xml2js';
import { children, parseXml, XmlShapeError, type XmlNode } from '../../xml.js';

/** A parsed domain XML document, for readers and for edits that build it again. */
export interface DomainDocument {
  /** The whole document, as `buildXml` takes it back. */
  readonly document: Record<string, XmlNode>;
  /** Its `<domain>` element. */
  readonly domain: XmlNode;
}

export function parseDomainDocument(xml: string): DomainDocument {
  const document = parseXml(xml);
  const root = Object.keys(document)[0];
  if (root !== 'domain')
    throw new XmlShapeError(`not a libvirt domain: the root element is <${root ?? 'nothing'}>, not <domain>`);
  // The root comes as an object (not in an array), or as a bare string when it holds only text.
  const rootValue = document['domain'] as XmlNode | string;
  const domain: XmlNode = typeof rootValue === 'object' && rootValue !== null ? rootValue : {};
  document['domain'] = domain;
  return { document, domain };
}

/**
 * The edited document as text, without indentation: a pretty printer would add whitespace to
 * the text of any mixed-content element (another program's metadata may have some) on every
 * edit. libvirt lays the XML out again when it stores it.
 */
export function buildDomainDocument(document: DomainDocument['document']): string {
  return new Builder({ headless: true, renderOpts: { pretty: false } }).buildObject(document);
}

/**
 * The first `name` child of `parent` as an element object that can be edited, created when
 * absent. xml2js gives an element with neither attributes nor children as a bare string (`''`
 * for `<metadata/>`), which cannot carry attributes or children: it is replaced by an object
 * holding the same text.
 */
export function elementAt(parent: XmlNode | Record<string, XmlNode>, name: string): XmlNode {
  const holder = parent as Record<string, unknown>;
  const existing = holder[name];
  const first: unknown = Array.isArray(existing) ? existing[0] : existing;
  let element: XmlNode;
  if (first !== undefined && first !== null && typeof first === 'object') element = first as XmlNode;
  else element = typeof first === 'string' && first.length > 0 ? { _: first } : {};
  const rest = Array.isArray(existing) ? existing.slice(1) : [];
  holder[name] = [element, ...rest];
  return element;
}

/** Removes every `name` child of each element in `parents`. */
export function removeChildren(parents: readonly XmlNode[], name: string): void {
  for (const parent of parents) if (typeof parent === 'object') delete parent[name];
}

/** The element objects among `node`'s `name` children; bare-string children have nothing to edit. */
export function elementChildren(node: XmlNode | undefined, name: string): XmlNode[] {
  return children(node, name).filter((c): c is XmlNode => typeof c === 'object' && c !== null);
}

/**
 * The XML as the edits build it: the same definition laid out by libvirt and by an edit compares
 * equal, so an edit that changed nothing is seen as such.
 */
export function normalDomainXml(xml: string): string {
  return buildDomainDocument(parseDomainDocument(xml).document);
}
