import type { RecordedEvent } from '../eventstore/event.js';
import { BOOT_OVERRIDE_ENABLED, BOOT_TARGETS, RESET_TYPES, type SystemEvent } from '../domain/system/system-events.js';
import { addMember, linkFromServiceRoot } from './collection.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument } from './projector.js';

const SYSTEMS = '/redfish/v1/Systems';
const GiB = 1024 ** 3;

/** The Systems collection and each ComputerSystem document. */
export const systemsProjector: Projector = {
  name: 'systems',
  apply(recorded: RecordedEvent, views) {
    const event = { type: recorded.type, data: recorded.data } as SystemEvent;
    const id = recorded.streamId;
    if (!id.startsWith(`${SYSTEMS}/`)) return;
    const position = recorded.position;
    switch (event.type) {
      case 'SystemRegistered': {
        const existing = views.get(id);
        const doc: ViewDocument = existing ?? {
          '@odata.id': id,
          '@odata.type': ODATA_TYPE.ComputerSystem,
          Id: event.data.systemId,
          SystemType: 'Physical',
          Status: { State: 'Starting', Health: 'OK' },
          IndicatorLED: 'Off',
          LocationIndicatorActive: false,
          Boot: {
            BootSourceOverrideEnabled: 'Disabled',
            'BootSourceOverrideEnabled@Redfish.AllowableValues': [...BOOT_OVERRIDE_ENABLED],
            BootSourceOverrideTarget: 'None',
            'BootSourceOverrideTarget@Redfish.AllowableValues': [...BOOT_TARGETS],
          },
        };
        doc['Name'] = event.data.name;
        doc['Actions'] = {
          '#ComputerSystem.Reset': {
            target: `${id}/Actions/ComputerSystem.Reset`,
            'ResetType@Redfish.AllowableValues': [...RESET_TYPES],
            '@Redfish.ActionInfo': `${id}/ResetActionInfo`,
          },
        };
        views.put(doc, position);
        views.put(
          {
            '@odata.id': `${id}/ResetActionInfo`,
            '@odata.type': ODATA_TYPE.ActionInfo,
            Id: 'ResetActionInfo',
            Name: 'Reset Action Info',
            Parameters: [{ Name: 'ResetType', Required: true, DataType: 'String', AllowableValues: [...RESET_TYPES] }],
          },
          position,
        );
        addMember(views, position, { id: SYSTEMS, type: ODATA_TYPE.ComputerSystemCollection, name: 'Computer System Collection' }, id);
        linkFromServiceRoot(views, position, 'Systems', SYSTEMS);
        return;
      }
      case 'DomainObserved': {
        const doc = views.get(id);
        if (!doc) return;
        doc['UUID'] = event.data.uuid;
        doc['ProcessorSummary'] = { Count: 1, LogicalProcessorCount: event.data.vcpus, CoreCount: event.data.vcpus };
        doc['MemorySummary'] = { TotalSystemMemoryGiB: Math.round((event.data.memoryBytes / GiB) * 1000) / 1000 };
        doc['Status'] = { State: 'Enabled', Health: 'OK' };
        doc['EthernetInterfaces'] = { '@odata.id': `${id}/EthernetInterfaces` };
        doc['Processors'] = { '@odata.id': `${id}/Processors` };
        doc['Memory'] = { '@odata.id': `${id}/Memory` };
        // The firmware the domain's definition names: what its next boot uses.
        const mode = event.data.firmware === 'UEFI' ? 'UEFI' : 'Legacy';
        doc['Boot'] = { ...(doc['Boot'] as object), BootSourceOverrideMode: mode, 'BootSourceOverrideMode@Redfish.AllowableValues': ['Legacy', 'UEFI'] };
        views.put(doc, position);
        return;
      }
      case 'PowerStateObserved': {
        const doc = views.get(id);
        if (!doc) return;
        // A paused VM is still powered; Redfish has no paused state for a system.
        doc['PowerState'] = event.data.powerState === 'Off' ? 'Off' : 'On';
        doc['Status'] = { State: 'Enabled', Health: 'OK' };
        views.put(doc, position);
        return;
      }
      case 'BootOverrideChanged':
      case 'BootOverrideConsumed': {
        const doc = views.get(id);
        if (!doc) return;
        const enabled = event.type === 'BootOverrideConsumed' ? 'Disabled' : event.data.enabled;
        doc['Boot'] = { ...(doc['Boot'] as object), BootSourceOverrideEnabled: enabled, BootSourceOverrideTarget: event.data.target };
        views.put(doc, position);
        return;
      }
      case 'BootModeChanged': {
        const doc = views.get(id);
        if (!doc) return;
        doc['Boot'] = { ...(doc['Boot'] as object), BootSourceOverrideMode: event.data.mode, 'BootSourceOverrideMode@Redfish.AllowableValues': ['Legacy', 'UEFI'] };
        views.put(doc, position);
        return;
      }
      case 'IndicatorChanged': {
        const doc = views.get(id);
        if (!doc) return;
        doc['IndicatorLED'] = event.data.led;
        doc['LocationIndicatorActive'] = event.data.led !== 'Off';
        views.put(doc, position);
        return;
      }
      case 'DomainMissingObserved': {
        const doc = views.get(id);
        if (!doc) return;
        doc['Status'] = { State: 'Absent', Health: 'Critical' };
        delete doc['PowerState'];
        views.put(doc, position);
        return;
      }
    }
  },
};
