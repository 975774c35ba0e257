import type { SystemState } from '../domain/system/system-decider.js';
import type { BootOverride } from '../domain/system/system-events.js';
import { withBootOrder } from '../libvirt/xml/boot-order.js';
import { readDomainXml, type BootDevice, type Firmware } from '../libvirt/xml/domain-xml.js';
import { withFirmware } from '../libvirt/xml/firmware.js';
import { withSettings, type BiosAttributes } from '../libvirt/xml/settings-metadata.js';

/**
 * The parts of a domain's persistent definition the emulator keeps as the log says. A part the
 * log has never set is absent: the domain keeps its own (an adopted domain is not redefined).
 */
export interface WantedDefinition {
  /** `<os><boot dev>` in this order, and no per-device `<boot order>`. */
  readonly bootOrder?: readonly BootDevice[];
  readonly firmware?: Firmware;
  /** The BIOS settings in effect, in the emulator's metadata (the rest of that metadata is kept). */
  readonly biosAttributes?: BiosAttributes;
}

export type DefinitionPart = 'boot order' | 'firmware' | 'BIOS settings';

/** The boot order a domain should have for an override: its target first, then disk and network. */
export function bootOrderFor(override: BootOverride): BootDevice[] {
  const usual: BootDevice[] = ['hd', 'network'];
  if (override.enabled === 'Disabled' || override.target === 'None') return usual;
  // UefiHttp without an image: the firmware boots over the network (DHCP hands it the URL).
  const first = ({ Pxe: 'network', Hdd: 'hd', Cd: 'cdrom', Floppy: 'fd', UefiHttp: 'network' } as const)[
    override.target
  ];
  return [first, ...usual.filter((d) => d !== first)];
}

/**
 * Whether the override boots an image the emulator fetches into a drive of its own, which the
 * boot order then names (when the lab has a directory to keep the image in). Fetching it is an
 * action, carried out on the event: while it stands, the boot order is that action's.
 */
export function bootsHttpImage(override: BootOverride, imagesKept: boolean): boolean {
  return imagesKept && override.enabled !== 'Disabled' && override.target === 'UefiHttp' && !!override.httpBootUri;
}

/** What the system's state wants of its domain's definition. */
export function wantedDefinition(state: SystemState, options: { httpBootImages: boolean }): WantedDefinition {
  const bootOrder =
    state.bootOrderSet && !bootsHttpImage(state.bootOverride, options.httpBootImages)
      ? bootOrderFor(state.bootOverride)
      : undefined;
  return {
    ...(bootOrder && { bootOrder }),
    ...(state.bootModeChosen && { firmware: state.bootModeChosen === 'UEFI' ? 'UEFI' : 'BIOS' }),
    ...(state.biosSet && { biosAttributes: state.bios }),
  };
}

/** Attributes as one string whatever their order, to compare what is wanted with what is there. */
const attributesKey = (attributes: BiosAttributes | undefined) =>
  JSON.stringify(Object.entries(attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** A part as one string, to compare two definitions' parts: undefined when not wanted. */
function partKey(definition: WantedDefinition, part: DefinitionPart): string | undefined {
  if (part === 'boot order') return definition.bootOrder?.join(' ');
  if (part === 'firmware') return definition.firmware;
  return definition.biosAttributes && attributesKey(definition.biosAttributes);
}

/** Whether `part` is wanted otherwise in `after` than in `before`. */
export function changedPart(before: WantedDefinition, after: WantedDefinition, part: DefinitionPart): boolean {
  return partKey(before, part) !== partKey(after, part);
}

/** The wanted parts that the definition in `xml` does not have, compared part by part. */
export function definitionDrift(xml: string, wanted: WantedDefinition): DefinitionPart[] {
  const description = readDomainXml(xml);
  // What the definition has, in the wanted definition's terms; a per-device boot order is never
  // the emulator's, so a definition with one has no boot order it could want.
  const actual: WantedDefinition = {
    ...(description.perDeviceBoot.length === 0 && { bootOrder: description.bootDevices }),
    firmware: description.firmware,
    biosAttributes: description.settings?.biosAttributes ?? {},
  };
  return (['boot order', 'firmware', 'BIOS settings'] as const).filter(
    (part) => partKey(wanted, part) !== undefined && changedPart(actual, wanted, part),
  );
}

/** The definition with every wanted part it lacks put right, and nothing else changed. */
export function convergedDefinition(xml: string, wanted: WantedDefinition): string {
  let converged = xml;
  for (const part of definitionDrift(xml, wanted)) {
    if (part === 'boot order') converged = withBootOrder(converged, wanted.bootOrder!);
    if (part === 'firmware') converged = withFirmware(converged, wanted.firmware!);
    if (part === 'BIOS settings')
      converged = withSettings(converged, {
        ...readDomainXml(converged).settings,
        biosAttributes: wanted.biosAttributes!,
      });
  }
  return converged;
}
