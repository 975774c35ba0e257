import type { RecordedEvent } from '../eventstore/event.js';
import { systemDecider } from '../domain/system/system-decider.js';
import {
  BOOT_OVERRIDE_ENABLED,
  BOOT_TARGETS,
  RESET_TYPES,
  type SystemEvent,
  type SystemRegistered,
} from '../domain/system/system-events.js';
import { evolveStoredState, putIfChanged } from './aggregate-state.js';
import { addMember } from './collection.js';
import { TOP_LEVEL_COLLECTIONS } from './service-root.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument, ViewWriter } from '../eventstore/projector.js';
import { systemStatus } from './system-status.js';
import { addSystemAlias } from './system-aliases.js';
import { isSystemStream } from '../domain/stream-ids.js';

const GiB = 1024 ** 3;

/**
 * The Systems collection and each ComputerSystem document. The system's state is folded with the
 * decider's own evolve and kept beside the views, so Status follows the same rules the decider
 * does (when a failed reset is over, for one).
 */
export const systemsProjector: Projector = {
  name: 'systems',
  apply(recorded: RecordedEvent, views) {
    const id = recorded.streamId;
    if (!isSystemStream(id)) return;
    const event = { type: recorded.type, data: recorded.data } as SystemEvent;
    const position = recorded.position;
    const state = evolveStoredState(views, position, id, systemDecider, event);
    const shown = views.get(id);
    // A copy: putIfChanged compares it with the stored document, which in-memory views hand out as it is.
    const doc =
      event.type === 'SystemRegistered' ? register(views, position, id, shown, event.data) : shown && { ...shown };
    if (!doc) return;
    render(doc, id, event);
    if (event.type === 'SystemRegistered') addSystemAlias(views, position, event.data.domainName, event.data.systemId);
    if (event.type === 'DomainObserved') addSystemAlias(views, position, event.data.uuid, doc['Id'] as string);
    doc['Status'] = systemStatus(state, recorded, doc);
    putIfChanged(views, position, doc);
  },
};

/** The system's document (kept when it exists: a registration changed), its ActionInfo and its place in the collection. */
function register(
  views: ViewWriter,
  position: number,
  id: string,
  shown: ViewDocument | undefined,
  registration: SystemRegistered['data'],
): ViewDocument {
  const doc: ViewDocument = shown
    ? { ...shown }
    : {
        '@odata.id': id,
        '@odata.type': ODATA_TYPE.ComputerSystem,
        Id: registration.systemId,
        SystemType: 'Physical',
        Status: {}, // made by systemStatus; set here for its place among the properties
        AssetTag: '',
        IndicatorLED: 'Off',
        LocationIndicatorActive: false,
        Boot: {
          BootSourceOverrideEnabled: 'Disabled',
          'BootSourceOverrideEnabled@Redfish.AllowableValues': [...BOOT_OVERRIDE_ENABLED],
          BootSourceOverrideTarget: 'None',
          'BootSourceOverrideTarget@Redfish.AllowableValues': [...BOOT_TARGETS],
          HttpBootUri: null,
        },
      };
  doc['Name'] = registration.name;
  if (registration.inventory) {
    const { manufacturer, model, serialNumber, sku } = registration.inventory;
    Object.assign(doc, { Manufacturer: manufacturer, Model: model, SerialNumber: serialNumber, SKU: sku });
  }
  doc['Actions'] = {
    '#ComputerSystem.Reset': {
      target: `${id}/Actions/ComputerSystem.Reset`,
      'ResetType@Redfish.AllowableValues': [...RESET_TYPES],
      '@Redfish.ActionInfo': `${id}/ResetActionInfo`,
    },
  };
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
  addMember(views, position, TOP_LEVEL_COLLECTIONS.Systems, id);
  return doc;
}

/** What an event changes in the document, Status aside (systemStatus makes that from the state). */
function render(doc: ViewDocument, id: string, event: SystemEvent): void {
  switch (event.type) {
    case 'DomainObserved': {
      doc['UUID'] = event.data.uuid;
      doc['ProcessorSummary'] = { Count: 1, LogicalProcessorCount: event.data.vcpus, CoreCount: event.data.vcpus };
      doc['MemorySummary'] = { TotalSystemMemoryGiB: Math.round((event.data.memoryBytes / GiB) * 1000) / 1000 };
      doc['EthernetInterfaces'] = { '@odata.id': `${id}/EthernetInterfaces` };
      doc['Processors'] = { '@odata.id': `${id}/Processors` };
      doc['Memory'] = { '@odata.id': `${id}/Memory` };
      // The firmware the domain's definition names: what its next boot uses.
      const mode = event.data.firmware === 'UEFI' ? 'UEFI' : 'Legacy';
      doc['Boot'] = {
        ...(doc['Boot'] as object),
        BootSourceOverrideMode: mode,
        'BootSourceOverrideMode@Redfish.AllowableValues': ['Legacy', 'UEFI'],
      };
      return;
    }
    case 'PowerStateObserved':
      // A paused VM is still powered; Redfish has no paused state for a system.
      doc['PowerState'] = event.data.powerState === 'Off' ? 'Off' : 'On';
      return;
    case 'BootOverrideChanged':
    case 'BootOverrideConsumed': {
      const enabled = event.type === 'BootOverrideConsumed' ? 'Disabled' : event.data.enabled;
      doc['Boot'] = {
        ...(doc['Boot'] as object),
        BootSourceOverrideEnabled: enabled,
        BootSourceOverrideTarget: event.data.target,
        HttpBootUri: event.data.httpBootUri ?? null,
      };
      return;
    }
    case 'BootModeChanged':
      doc['Boot'] = {
        ...(doc['Boot'] as object),
        BootSourceOverrideMode: event.data.mode,
        'BootSourceOverrideMode@Redfish.AllowableValues': ['Legacy', 'UEFI'],
      };
      return;
    case 'AssetTagChanged':
      doc['AssetTag'] = event.data.assetTag;
      return;
    case 'IndicatorChanged':
      doc['IndicatorLED'] = event.data.led;
      doc['LocationIndicatorActive'] = event.data.led !== 'Off';
      return;
    case 'DomainMissingObserved':
      delete doc['PowerState'];
      return;
  }
}
