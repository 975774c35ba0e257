import { attr, buildXml, children, parseXml, text, XmlShapeError, type XmlNode } from '../../xml.js';
import { buildDomainDocument, elementAt, parseDomainDocument } from './domain-document.js';

/**
 * What the emulator keeps inside a domain's `<metadata>`, in its own namespace, so BIOS settings
 * and the boot override travel with the domain (a dump, a migration, a rebuilt store) and can be
 * read with `virsh metadata DOMAIN urn:redfish-emulator:domain:1`:
 *
 *   <rfe:settings xmlns:rfe="urn:redfish-emulator:domain:1">
 *     <rfe:bios><rfe:attribute name="BootMode" type="string" value="Uefi"/>…</rfe:bios>
 *     <rfe:pending-bios>…</rfe:pending-bios>
 *     <rfe:boot-override target="Pxe" enabled="Once" mode="UEFI"/>
 *   </rfe:settings>
 *
 * Values sit in attributes rather than text, so whitespace-only strings survive parsers that drop
 * whitespace-only text. The first version stored the same object as JSON text in the element;
 * that form is still read, so domains defined then keep their settings.
 */
export const SETTINGS_NAMESPACE = 'urn:redfish-emulator:domain:1';
/** The prefix (libvirt's metadata "key") the emulator writes its element with. */
export const SETTINGS_PREFIX = 'rfe';
const ROOT = 'settings';

export type AttributeValue = string | number | boolean;
export type BiosAttributes = Readonly<Record<string, AttributeValue>>;
export const BOOT_OVERRIDE_ENABLED = ['Once', 'Continuous', 'Disabled'] as const;
export type BootOverrideEnabled = (typeof BOOT_OVERRIDE_ENABLED)[number];
export const BOOT_OVERRIDE_MODES = ['Legacy', 'UEFI'] as const;
export type BootOverrideMode = (typeof BOOT_OVERRIDE_MODES)[number];

export interface BootOverrideSetting {
  /** A Redfish BootSourceOverrideTarget (Pxe, Hdd, Cd…). */
  readonly target: string;
  readonly enabled: BootOverrideEnabled;
  readonly mode?: BootOverrideMode;
}

/** BIOS settings and the boot override, kept with the domain. */
export interface EmulatorSettings {
  readonly biosAttributes?: BiosAttributes;
  /** Applied on the next reset, as a real BMC applies Bios/Settings. */
  readonly pendingBiosAttributes?: BiosAttributes;
  readonly bootOverride?: BootOverrideSetting;
}

const SECTIONS = { biosAttributes: 'bios', pendingBiosAttributes: 'pending-bios' } as const;
const VALUE_TYPES = ['string', 'number', 'boolean'] as const;

function invalid(message: string): never {
  throw new XmlShapeError(`the emulator's settings metadata: ${message}`);
}

// ---- checking (what is written, and the JSON of the first version) ----

function checkAttributes(value: unknown, section: string): BiosAttributes {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(`${section} must be an object of attributes`);
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string' && typeof v !== 'boolean') {
      invalid(`${section}.${name} must be a string, a finite number or a boolean`);
    }
  }
  return value as BiosAttributes;
}

function checkBootOverride(value: unknown): BootOverrideSetting {
  const o = value as Partial<Record<keyof BootOverrideSetting, unknown>> | null;
  if (typeof o !== 'object' || o === null) invalid('bootOverride must be an object');
  if (typeof o.target !== 'string' || o.target === '') invalid('bootOverride.target must be a non-empty string');
  if (!BOOT_OVERRIDE_ENABLED.includes(o.enabled as BootOverrideEnabled))
    invalid(`bootOverride.enabled must be one of ${BOOT_OVERRIDE_ENABLED.join(', ')}, not '${String(o.enabled)}'`);
  if (o.mode !== undefined && !BOOT_OVERRIDE_MODES.includes(o.mode as BootOverrideMode))
    invalid(`bootOverride.mode must be one of ${BOOT_OVERRIDE_MODES.join(', ')}, not '${String(o.mode)}'`);
  return {
    target: o.target,
    enabled: o.enabled as BootOverrideEnabled,
    ...(o.mode !== undefined && { mode: o.mode as BootOverrideMode }),
  };
}

/** The settings as a checked object: clear errors for anything the XML form cannot carry. */
function checkSettings(value: unknown): EmulatorSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid('not an object');
  const v = value as Record<string, unknown>;
  return {
    ...(v['biosAttributes'] !== undefined && {
      biosAttributes: checkAttributes(v['biosAttributes'], 'biosAttributes'),
    }),
    ...(v['pendingBiosAttributes'] !== undefined && {
      pendingBiosAttributes: checkAttributes(v['pendingBiosAttributes'], 'pendingBiosAttributes'),
    }),
    ...(v['bootOverride'] !== undefined && { bootOverride: checkBootOverride(v['bootOverride']) }),
  };
}

// ---- writing ----

/** The element tree, its children named with `prefix` (`rfe:` inside a domain, none for the API). */
function settingsTree(settings: EmulatorSettings, prefix: string): XmlNode {
  const checked = checkSettings(settings);
  const tree: Record<string, unknown> = {};
  for (const key of ['biosAttributes', 'pendingBiosAttributes'] as const) {
    const attributes = checked[key];
    if (attributes === undefined) continue;
    tree[prefix + SECTIONS[key]] = {
      [`${prefix}attribute`]: Object.entries(attributes).map(([name, value]) => ({
        $: { name, type: typeof value, value: String(value) },
      })),
    };
  }
  const override = checked.bootOverride;
  if (override)
    tree[`${prefix}boot-override`] = {
      $: { target: override.target, enabled: override.enabled, ...(override.mode && { mode: override.mode }) },
    };
  return tree as XmlNode;
}

/**
 * The settings element alone, unprefixed, as virDomainSetMetadata takes it (with key
 * SETTINGS_PREFIX and uri SETTINGS_NAMESPACE) and virDomainGetMetadata returns it.
 */
export function settingsMetadataXml(settings: EmulatorSettings): string {
  return buildXml({ [ROOT]: settingsTree(settings, '') });
}

/**
 * The domain XML with the emulator's settings stored in (or replacing its own within)
 * `<metadata>`; every other element, other metadata included, is kept.
 */
export function withSettings(domainXml: string, settings: EmulatorSettings): string {
  const { document, domain } = parseDomainDocument(domainXml);
  const metadata = elementAt(domain, 'metadata');
  for (const name of Object.keys(metadata)) if (findOurs(metadata, name) !== undefined) delete metadata[name];
  metadata[`${SETTINGS_PREFIX}:${ROOT}`] = [
    { $: { [`xmlns:${SETTINGS_PREFIX}`]: SETTINGS_NAMESPACE }, ...settingsTree(settings, `${SETTINGS_PREFIX}:`) },
  ];
  return buildDomainDocument(document);
}

// ---- reading ----

/** The prefix (`rfe:`, or `` for a default namespace) when `name` in `metadata` is our element. */
function findOurs(metadata: XmlNode, name: string): string | undefined {
  const [prefix, local] = name.includes(':')
    ? [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)]
    : ['', name];
  if (local !== ROOT) return undefined;
  const element = children(metadata, name)[0];
  const declaration = prefix ? `xmlns:${prefix}` : 'xmlns';
  const uri = attr(typeof element === 'object' ? element : undefined, declaration) ?? attr(metadata, declaration);
  return uri === SETTINGS_NAMESPACE ? (prefix ? `${prefix}:` : '') : undefined;
}

function readAttributes(section: XmlNode | string, prefix: string, what: string): BiosAttributes {
  const attributes: Record<string, AttributeValue> = {};
  for (const entry of children(typeof section === 'object' ? section : undefined, `${prefix}attribute`)) {
    const name = attr(entry, 'name');
    const type = attr(entry, 'type') ?? 'string';
    const raw = attr(entry, 'value') ?? '';
    if (name === undefined) invalid(`an attribute in ${what} has no name`);
    if (!VALUE_TYPES.includes(type as (typeof VALUE_TYPES)[number]))
      invalid(`attribute ${name} has type '${type}', not string, number or boolean`);
    if (type === 'number') {
      const number = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(number)) invalid(`attribute ${name} is not a number: '${raw}'`);
      attributes[name] = number;
    } else if (type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') invalid(`attribute ${name} is not true or false: '${raw}'`);
      attributes[name] = raw === 'true';
    } else {
      attributes[name] = raw;
    }
  }
  return attributes;
}

function readTree(element: XmlNode | string, prefix: string): EmulatorSettings {
  const node = typeof element === 'object' ? element : undefined;
  const known = [...Object.values(SECTIONS), 'boot-override'].some(
    (local) => children(node, prefix + local).length > 0,
  );
  const body = text(element)?.trim();
  if (!known && body) {
    try {
      return checkSettings(JSON.parse(body));
    } catch (err) {
      if (err instanceof XmlShapeError) throw err;
      invalid(`neither settings elements nor valid JSON (${(err as Error).message})`);
    }
  }
  const settings: { -readonly [K in keyof EmulatorSettings]: EmulatorSettings[K] } = {};
  for (const key of ['biosAttributes', 'pendingBiosAttributes'] as const) {
    const section = children(node, prefix + SECTIONS[key])[0];
    if (section !== undefined) settings[key] = readAttributes(section, prefix, SECTIONS[key]);
  }
  const override = children(node, `${prefix}boot-override`)[0];
  if (override !== undefined) {
    const o = typeof override === 'object' ? override : undefined;
    settings.bootOverride = checkBootOverride({
      target: attr(o, 'target'),
      enabled: attr(o, 'enabled'),
      mode: attr(o, 'mode'),
    });
  }
  return settings;
}

/** The settings in a domain's `<metadata>` element, or undefined when the emulator stored none. */
export function readSettings(metadata: XmlNode | string | undefined): EmulatorSettings | undefined {
  if (typeof metadata !== 'object') return undefined;
  for (const name of Object.keys(metadata)) {
    const prefix = findOurs(metadata, name);
    if (prefix !== undefined) return readTree(children(metadata, name)[0]!, prefix);
  }
  return undefined;
}

/** The settings from what virDomainGetMetadata returns for SETTINGS_NAMESPACE. */
export function settingsFromMetadataXml(xml: string): EmulatorSettings {
  const document = parseXml(xml);
  const root = Object.keys(document)[0] ?? '';
  const prefix = root.includes(':') ? root.slice(0, root.indexOf(':') + 1) : '';
  if (root.slice(prefix.length) !== ROOT) invalid(`the element is <${root}>, not <${ROOT}>`);
  return readTree(document[root] as XmlNode | string, prefix);
}
