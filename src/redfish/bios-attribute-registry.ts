import { BIOS_ATTRIBUTES } from '../domain/system/bios-attributes.js';
import { BIOS_ATTRIBUTE_REGISTRY } from '../projections/system-bios.js';

/** Where the registry file is read, as its MessageRegistryFile's Location names it. */
export const BIOS_ATTRIBUTE_REGISTRY_URI = `/redfish/v1/Registries/${BIOS_ATTRIBUTE_REGISTRY}/${BIOS_ATTRIBUTE_REGISTRY}.json`;

const display = (name: string) => name.replace(/([a-z])([A-Z0-9])/g, '$1 $2');

/**
 * The BIOS attribute registry every Bios resource names: each attribute's type, default, allowed
 * values or bounds, from the same table the PATCH of Bios/Settings is checked against, so what a
 * client reads here is what the emulator accepts.
 */
export const BIOS_ATTRIBUTE_REGISTRY_TEXT = JSON.stringify({
  '@odata.type': '#AttributeRegistry.v1_3_8.AttributeRegistry',
  Id: BIOS_ATTRIBUTE_REGISTRY,
  Name: 'BIOS Attribute Registry',
  Language: 'en',
  OwningEntity: 'redfish-emulator',
  RegistryVersion: '1.0.0',
  SupportedSystems: [{ ProductName: 'redfish-emulator', SystemId: 'emulated', FirmwareVersion: '1.0.0' }],
  RegistryEntries: {
    Attributes: Object.entries(BIOS_ATTRIBUTES).map(([name, definition]) => ({
      AttributeName: name,
      DisplayName: display(name),
      Type: definition.type,
      DefaultValue: definition.default,
      ReadOnly: false,
      ResetRequired: true,
      ...(definition.values && {
        Value: definition.values.map((value) => ({ ValueName: value, ValueDisplayName: value })),
      }),
      ...(definition.min !== undefined && { LowerBound: definition.min }),
      ...(definition.max !== undefined && { UpperBound: definition.max }),
      ...(definition.maxLength !== undefined && { MaxLength: definition.maxLength }),
    })),
  },
});
