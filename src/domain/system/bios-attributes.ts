import { problem, type RedfishProblem } from '../problem.js';

export type BiosValue = string | number | boolean;

/** What an attribute takes, as an attribute registry's entry says (AttributeRegistry schema). */
export interface AttributeDefinition {
  readonly type: 'Enumeration' | 'Integer' | 'Boolean' | 'String';
  readonly default?: BiosValue;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Shown, never set by a client. */
  readonly readOnly?: boolean;
}

/**
 * The BIOS settings every emulated server has, with their defaults: the kind a provisioning
 * tool reads and changes (virtualization, boot mode of NICs, hyper-threading, an asset tag).
 */
export const BIOS_ATTRIBUTES: Readonly<Record<string, AttributeDefinition>> = {
  ProcVirtualization: { type: 'Enumeration', default: 'Enabled', values: ['Enabled', 'Disabled'] },
  ProcHyperThreading: { type: 'Enumeration', default: 'Enabled', values: ['Enabled', 'Disabled'] },
  ProcTurboMode: { type: 'Enumeration', default: 'Enabled', values: ['Enabled', 'Disabled'] },
  NicBoot1: { type: 'Enumeration', default: 'NetworkBoot', values: ['NetworkBoot', 'Disabled'] },
  SriovGlobalEnable: { type: 'Boolean', default: false },
  NumLockState: { type: 'Enumeration', default: 'On', values: ['On', 'Off'] },
  BootRetryCount: { type: 'Integer', default: 3, min: 0, max: 10 },
  AssetTag: { type: 'String', default: '', maxLength: 64 },
};

export const BIOS_DEFAULTS: Readonly<Record<string, BiosValue>> = Object.fromEntries(
  Object.entries(BIOS_ATTRIBUTES).map(([name, definition]) => [name, definition.default!]),
);

/**
 * Every reason `attributes` cannot be set, as Base messages on /Attributes/<name>: checked against
 * `definitions`, the emulated servers' own by default, or those of a registry a mockup brings.
 */
export function checkBiosAttributes(
  attributes: Record<string, unknown>,
  definitions: Readonly<Record<string, AttributeDefinition>> = BIOS_ATTRIBUTES,
): RedfishProblem[] {
  const problems: RedfishProblem[] = [];
  for (const [name, value] of Object.entries(attributes)) {
    const pointer = [`/Attributes/${name}`];
    const definition = Object.hasOwn(definitions, name) ? definitions[name] : undefined;
    const shown = JSON.stringify(value);
    if (!definition) {
      problems.push(problem(400, 'PropertyUnknown', [name], pointer));
    } else if (definition.readOnly) {
      problems.push(problem(400, 'PropertyNotWritable', [name], pointer));
    } else if (
      definition.type === 'Boolean'
        ? typeof value !== 'boolean'
        : definition.type === 'Integer'
          ? !Number.isInteger(value)
          : typeof value !== 'string'
    ) {
      problems.push(problem(400, 'PropertyValueTypeError', [shown, name], pointer));
    } else if (definition.values && !definition.values.includes(value as string)) {
      problems.push(problem(400, 'PropertyValueNotInList', [String(value), name], pointer));
    } else if (
      (definition.min !== undefined && (value as number) < definition.min) ||
      (definition.max !== undefined && (value as number) > definition.max)
    ) {
      problems.push(problem(400, 'PropertyValueOutOfRange', [String(value), name], pointer));
    } else if (
      (definition.maxLength !== undefined && (value as string).length > definition.maxLength) ||
      (definition.minLength !== undefined && (value as string).length < definition.minLength)
    ) {
      problems.push(problem(400, 'PropertyValueOutOfRange', [String(value), name], pointer));
    }
  }
  return problems;
}
