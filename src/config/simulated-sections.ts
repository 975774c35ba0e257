import { createHash } from 'node:crypto';
import type { SimulatedSectionConfig, SystemConfig } from './config.js';

/** One system a simulated section makes: its config as a configured system's, and what is derived from its index. */
export interface SimulatedSystemConfig {
  /** Where it comes from, for error messages: lab.simulated[n]. */
  readonly key: string;
  /** The n of lab.simulated[n]. */
  readonly section: number;
  readonly index: number;
  readonly system: SystemConfig;
  /** The domain's UUID, the same at every start. */
  readonly uuid: string;
  /** One MAC per NIC, the same at every start and different for every system. */
  readonly macs: readonly string[];
  /** How long a power change takes, in seconds: a range each change picks from. */
  readonly powerSeconds: { readonly min: number; readonly max: number };
  readonly virtualMedia: 'record' | 'fetch';
}

const INDEX = /\{index(?::([1-9]))?\}/g;

/** The pattern with each {index} (or {index:N}, zero-padded to N digits) replaced by the index. */
export function fillPattern(pattern: string, index: number): string {
  return pattern.replace(INDEX, (_, digits: string | undefined) => String(index).padStart(Number(digits ?? 0), '0'));
}

export const hasIndex = (pattern: string): boolean => new RegExp(INDEX.source).test(pattern);

/** Every string in `value` filled in for `index`: a template's serial numbers may carry it. */
function fillAll<T>(value: T, index: number): T {
  if (typeof value === 'string') return fillPattern(value, index) as T;
  if (Array.isArray(value)) return value.map((v) => fillAll(v, index)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillAll(v, index)])) as T;
  return value;
}

/** A name-based UUID (version 5 layout over SHA-1, as RFC 4122 lays it out) of the system's id. */
export function simulatedUuid(systemId: string): string {
  const bytes = createHash('sha1').update(`redfish-emulator simulated system ${systemId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The byte of a section's id pattern each of its systems' MACs carries. */
const sectionByte = (pattern: string): number => createHash('sha256').update(pattern).digest()[0]!;

/**
 * A locally administered MAC (02:…): the section's byte, the NIC, and the index in three bytes,
 * so a section's systems never share one (as hashing each id might).
 */
function simulatedMac(section: number, nic: number, index: number): string {
  const bytes = [0x02, section, nic, (index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * The systems of each config's sections, made once: the config check and the lab both walk
 * them, twenty thousand systems at most. A loaded config is never changed, so they stay true.
 */
const made = new WeakMap<readonly SimulatedSectionConfig[], readonly SimulatedSystemConfig[]>();

/** The systems of every simulated section, in order: section by section, index by index. */
export function simulatedSystemConfigs(
  sections: readonly SimulatedSectionConfig[] = [],
): readonly SimulatedSystemConfig[] {
  const known = made.get(sections);
  if (known) return known;
  const systems = sections.flatMap((section, s) => {
    const start = section.start ?? 1;
    const { nics = 1, ...template } = section.template ?? {};
    const power = section.powerSeconds ?? 0;
    const powerSeconds = typeof power === 'number' ? { min: power, max: power } : power;
    const section_ = sectionByte(section.id);
    // A template without {index} is the same for every system: shared, not copied ten thousand times.
    const filled = hasIndex(JSON.stringify(template)) ? (index: number) => fillAll(template, index) : () => template;
    return Array.from({ length: section.count ?? 1 }, (_, i) => {
      const index = start + i;
      const id = fillPattern(section.id, index);
      return {
        key: `lab.simulated[${s}]`,
        section: s,
        index,
        system: {
          ...filled(index),
          id,
          ...(section.name !== undefined && { name: fillPattern(section.name, index) }),
          domain: section.domain !== undefined ? fillPattern(section.domain, index) : id,
        },
        uuid: simulatedUuid(id),
        macs: Array.from({ length: nics }, (_, nic) => simulatedMac(section_, nic, index)),
        powerSeconds,
        virtualMedia: section.virtualMedia ?? 'record',
      };
    });
  });
  made.set(sections, systems);
  return systems;
}
