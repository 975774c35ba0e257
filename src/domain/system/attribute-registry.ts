import type { AttributeDefinition, BiosValue } from './bios-attributes.js';

type Json = Record<string, unknown>;

const TYPES: Readonly<Record<string, AttributeDefinition['type']>> = {
  Enumeration: 'Enumeration',
  Integer: 'Integer',
  Boolean: 'Boolean',
  String: 'String',
  // A password is written as a string, and like any string it has its lengths.
  Password: 'String',
};

const numberOr = (value: unknown) => (typeof value === 'number' ? value : undefined);

/**
 * The attributes an attribute registry (DMTF's AttributeRegistry schema, a BIOS's
 * `RegistryEntries.Attributes`) defines, as the definitions clients' values are checked against:
 * type, the enumeration's `ValueName`s, `LowerBound`/`UpperBound`, `MinLength`/`MaxLength`, and
 * `ReadOnly` (or `Immutable`: set by the firmware once, never by a client). An entry without a
 * name, or of a type the schema does not define, defines nothing.
 */
export function attributeDefinitionsOf(registry: Json): Record<string, AttributeDefinition> {
  const entries = (registry['RegistryEntries'] as Json | undefined)?.['Attributes'];
  const definitions: Record<string, AttributeDefinition> = {};
  if (!Array.isArray(entries)) return definitions;
  for (const entry of entries as Json[]) {
    const name = entry?.['AttributeName'];
    const type = TYPES[String(entry?.['Type'])];
    if (typeof name !== 'string' || type === undefined) continue;
    const values = Array.isArray(entry['Value'])
      ? (entry['Value'] as Json[]).map((v) => v?.['ValueName']).filter((v): v is string => typeof v === 'string')
      : undefined;
    const fallback = entry['DefaultValue'];
    definitions[name] = {
      type,
      ...(['string', 'number', 'boolean'].includes(typeof fallback) && { default: fallback as BiosValue }),
      ...(type === 'Enumeration' && values && { values }),
      ...(numberOr(entry['LowerBound']) !== undefined && { min: numberOr(entry['LowerBound']) }),
      ...(numberOr(entry['UpperBound']) !== undefined && { max: numberOr(entry['UpperBound']) }),
      ...(numberOr(entry['MinLength']) !== undefined && { minLength: numberOr(entry['MinLength']) }),
      ...(numberOr(entry['MaxLength']) !== undefined && { maxLength: numberOr(entry['MaxLength']) }),
      ...((entry['ReadOnly'] === true || entry['Immutable'] === true) && { readOnly: true }),
    };
  }
  return definitions;
}
