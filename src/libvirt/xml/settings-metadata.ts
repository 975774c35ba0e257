import { buildXml, children, parseXml, text, XmlShapeError, type XmlNode } from '../../xml.js';

/** The emulator's namespace for what it keeps inside a domain's <metadata>. */
export const SETTINGS_NAMESPACE = 'urn:redfish-emulator:domain:1';
const ELEMENT = 'rfe:settings';

export type AttributeValue = string | number | boolean;

/** BIOS settings and the boot override, kept with the domain so they travel with it. */
export interface EmulatorSettings {
  readonly biosAttributes?: Readonly<Record<string, AttributeValue>>;
  /** Applied on the next reset, as a real BMC applies Bios/Settings. */
  readonly pendingBiosAttributes?: Readonly<Record<string, AttributeValue>>;
  readonly bootOverride?: {
    readonly target: string;
    readonly enabled: 'Once' | 'Continuous' | 'Disabled';
    readonly mode?: 'Legacy' | 'UEFI';
  };
}

function isOurs(name: string, node: XmlNode): boolean {
  return Object.entries(node.$ ?? {}).some(([key, value]) => key.startsWith('xmlns') && value === SETTINGS_NAMESPACE) && name.endsWith(':settings');
}

/** The settings from a domain's <metadata> element, if the emulator stored any. */
export function readSettings(metadata: XmlNode | undefined): EmulatorSettings | undefined {
  if (!metadata) return undefined;
  for (const [name, value] of Object.entries(metadata)) {
    if (name === '$' || !Array.isArray(value)) continue;
    const node = value[0] as XmlNode | string;
    if (typeof node === 'object' && isOurs(name, node)) {
      try {
        return JSON.parse(text(node) ?? '{}') as EmulatorSettings;
      } catch {
        throw new XmlShapeError(`the domain's ${name} metadata is not valid JSON`);
      }
    }
  }
  return undefined;
}

/**
 * The domain XML with the emulator's settings stored in (or replaced within) <metadata>; every
 * other element, other metadata included, is kept.
 */
export function withSettings(domainXml: string, settings: EmulatorSettings): string {
  const parsed = parseXml(domainXml);
  const domain = parsed['domain'];
  if (!domain) throw new XmlShapeError('not a libvirt domain: the root element is not <domain>');
  const metadata: XmlNode = children(domain, 'metadata')[0] ?? {};
  for (const [name, value] of Object.entries(metadata)) {
    if (name !== '$' && Array.isArray(value) && typeof value[0] === 'object' && isOurs(name, value[0] as XmlNode)) delete metadata[name];
  }
  metadata[ELEMENT] = [{ $: { 'xmlns:rfe': SETTINGS_NAMESPACE }, _: JSON.stringify(settings) }];
  domain['metadata'] = [metadata];
  return buildXml(parsed);
}
