import type { RecordedEvent } from '../eventstore/event.js';
import { BIOS_DEFAULTS } from '../domain/system/bios-attributes.js';
import type { SystemEvent } from '../domain/system/system-events.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector } from '../eventstore/projector.js';
import { isSystemStream } from '../domain/stream-ids.js';

/** The attribute registry the Bios resource names; its attributes are BIOS_ATTRIBUTES. */
export const BIOS_ATTRIBUTE_REGISTRY = 'BiosAttributeRegistry.v1_0_0';

/**
 * Each system's Bios (the settings in effect) and Bios/Settings (what waits for the next boot),
 * as a real BMC shows them.
 */
export const systemBiosProjector: Projector = {
  name: 'system-bios',
  apply(recorded: RecordedEvent, views) {
    if (!isSystemStream(recorded.streamId)) return;
    const system = recorded.streamId;
    const bios = `${system}/Bios`;
    const settings = `${bios}/Settings`;
    const { position } = recorded;
    const event = { type: recorded.type, data: recorded.data } as SystemEvent;
    const show = (attributes: Record<string, unknown>, pending: Record<string, unknown>) => {
      views.put(
        {
          '@odata.id': bios,
          '@odata.type': ODATA_TYPE.Bios,
          Id: 'BIOS',
          Name: 'BIOS Configuration',
          AttributeRegistry: BIOS_ATTRIBUTE_REGISTRY,
          Attributes: attributes,
          '@Redfish.Settings': {
            '@odata.type': ODATA_TYPE.Settings,
            SettingsObject: { '@odata.id': settings },
            SupportedApplyTimes: ['OnReset'],
          },
          Actions: { '#Bios.ResetBios': { target: `${bios}/Actions/Bios.ResetBios` } },
        },
        position,
      );
      views.put(
        {
          '@odata.id': settings,
          '@odata.type': ODATA_TYPE.Bios,
          Id: 'Settings',
          Name: 'BIOS Pending Settings',
          Attributes: pending,
        },
        position,
      );
    };
    const current = () =>
      (views.get(bios)?.['Attributes'] as Record<string, unknown> | undefined) ?? { ...BIOS_DEFAULTS };
    switch (event.type) {
      case 'SystemRegistered': {
        if (views.get(bios)) return;
        show({ ...BIOS_DEFAULTS }, {});
        const doc = views.get(system);
        if (doc) {
          doc['Bios'] = { '@odata.id': bios };
          views.put(doc, position);
        }
        return;
      }
      case 'BiosSettingsRequested':
        return show(current(), { ...event.data.attributes });
      case 'BiosSettingsApplied':
        return show({ ...current(), ...event.data.attributes }, {});
      case 'BiosReset':
        return show({ ...BIOS_DEFAULTS }, {});
    }
  },
};
