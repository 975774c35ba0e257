import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attributeDefinitionsOf } from '../../src/domain/system/attribute-registry.js';
import { checkBiosAttributes } from '../../src/domain/system/bios-attributes.js';

const registry = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '..', 'fixtures', 'bios-attribute-registry', 'BiosAttributeRegistryP89.v1_0_0.json'),
    'utf8',
  ),
) as Record<string, unknown>;
const definitions = attributeDefinitionsOf(registry);
const messageIds = (attributes: Record<string, unknown>) =>
  checkBiosAttributes(attributes, definitions).map((p) => [p.relatedProperties?.[0], p.messageId]);

describe("a BIOS attribute registry's entries", () => {
  it('are read as definitions: type, enumeration, bounds, lengths, read-only', () => {
    expect(definitions['BootMode']).toEqual({ type: 'Enumeration', default: 'Uefi', values: ['Uefi', 'LegacyBios'] });
    expect(definitions['ProcCoreDisable']).toEqual({ type: 'Integer', min: 0, max: 16 });
    expect(definitions['UsbControl']?.readOnly).toBe(true);
    expect(definitions['SecureBootKeys']?.readOnly).toBe(true);
    expect(definitions['SetupPassword']).toEqual({ type: 'String', minLength: 8, maxLength: 32 });
  });

  it('accept what the registry allows', () => {
    expect(
      messageIds({ BootMode: 'LegacyBios', ProcCoreDisable: 16, AdminPhone: '555-0100', SetupPassword: 'longenough' }),
    ).toEqual([]);
  });

  it('refuse the rest, each attribute with the Base message that says why', () => {
    expect(
      messageIds({
        BootMode: 'Bios',
        ProcCoreDisable: '2',
        UsbControl: 'UsbDisabled',
        SecureBootKeys: true,
        AdminPhone: '0'.repeat(21),
        SetupPassword: 'short',
        ProcCoreDisable2: 1,
      }),
    ).toEqual([
      ['/Attributes/BootMode', 'PropertyValueNotInList'],
      ['/Attributes/ProcCoreDisable', 'PropertyValueTypeError'],
      ['/Attributes/UsbControl', 'PropertyNotWritable'],
      ['/Attributes/SecureBootKeys', 'PropertyNotWritable'],
      ['/Attributes/AdminPhone', 'PropertyValueOutOfRange'],
      ['/Attributes/SetupPassword', 'PropertyValueOutOfRange'],
      ['/Attributes/ProcCoreDisable2', 'PropertyUnknown'],
    ]);
    expect(messageIds({ ProcCoreDisable: 17 })).toEqual([['/Attributes/ProcCoreDisable', 'PropertyValueOutOfRange']]);
  });
});
