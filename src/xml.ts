import { Builder, Parser } from 'xml2js';

/**
 * xml2js in the shape these models use: attributes under `$`, text under `_`, every child as
 * an array. Values are escaped by the builder, never by string concatenation, so a name such as
 * `a"/><x` stays a value.
 */
export type XmlNode = { $?: Record<string, string>; _?: string } & {
  [child: string]: XmlNode[] | Record<string, string> | string | undefined;
};

/** Thrown when the text is not XML, or not the XML the reader expects. */
export class XmlShapeError extends Error {}

export function parseXml(text: string): Record<string, XmlNode> {
  let result: Record<string, XmlNode> | undefined;
  let failure: Error | undefined;
  // With async: false the parser calls back before parseString returns.
  new Parser({ async: false, explicitArray: true, explicitCharkey: false }).parseString(
    text,
    (err: Error | null, parsed: unknown) => {
      failure = err ?? undefined;
      result = parsed as Record<string, XmlNode>;
    },
  );
  if (failure || !result) throw new XmlShapeError(`not well-formed XML: ${failure?.message ?? 'empty document'}`);
  return result;
}

export function buildXml(root: Record<string, unknown>): string {
  return new Builder({ headless: true, renderOpts: { pretty: true, indent: '  ', newline: '\n' } }).buildObject(root);
}

/** The children named `name`, always an array. */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

export function attr(node: XmlNode | undefined, name: string): string | undefined {
  return node?.$?.[name];
}

/** An element's text: xml2js gives a plain string for a text-only element with no attributes. */
export function text(node: XmlNode | string | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  return typeof node._ === 'string' ? node._ : undefined;
}

export function childText(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[name];
  return Array.isArray(value) ? text(value[0] as XmlNode | string) : undefined;
}
