import { problem, type RedfishProblem } from '../problem.js';

export type BiosValue = string | number | boolean;

interface AttributeDefinition {
  readonly type: 'Enumeration' | 'Integer' | 'Boolean' | 'String';
  readonly default: BiosValue;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly maxLength?: number;
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
  Object.entries(BIOS_ATTRIBUTES).map(([name, definition]) => [name, definition.default]),
);

/** Every reason `attributes` cannot be set, as Base messages on /Attributes/<name>. */
export function checkBiosAttributes(attributes: Record<string, unknown>): RedfishProblem[] {
  const problems: RedfishProblem[] = [];
  for (const [name, value] of Object.entries(attributes)) {
    const pointer = [`/Attributes/${name}`];
    const definition = BIOS_ATTRIBUTES[name];
    const shown = JSON.stringify(value);
    if (!definition) {
      problems.push(problem(400, 'PropertyUnknown', [name], pointer));
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
    } else if (definition.maxLength !== undefined && (value as string).length > definition.maxLength) {
      problems.push(problem(400, 'PropertyValueOutOfRange', [String(value), name], pointer));
    }
  }
  return problems;
}
