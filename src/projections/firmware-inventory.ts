import type { RecordedEvent } from '../eventstore/event.js';
import { SERVICE_STREAM } from '../domain/service/service-events.js';
import { stagedVersions, type FirmwareState } from '../domain/firmware/firmware.js';
import { TRANSFER_PROTOCOLS, type FirmwareComponent } from '../domain/firmware/firmware-events.js';
import type { SystemState } from '../domain/system/system-decider.js';
import { putIfChanged, storedState } from './aggregate-state.js';
import { linkFromServiceRoot } from './collection.js';
import { compareMemberIds } from './member-order.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument, ViewWriter } from '../eventstore/projector.js';
import { systemIdOfStream } from '../domain/stream-ids.js';

export const UPDATE_SERVICE = '/redfish/v1/UpdateService';
const INVENTORY = `${UPDATE_SERVICE}/FirmwareInventory`;
/** Software other than firmware: none on an emulated server, but clients such as sushy look for the collection. */
const SOFTWARE_INVENTORY = `${UPDATE_SERVICE}/SoftwareInventory`;
export const SIMPLE_UPDATE = `${UPDATE_SERVICE}/Actions/UpdateService.SimpleUpdate`;
export const firmwareItemUri = (componentId: string) => `${INVENTORY}/${componentId}`;
/** The inventory item of an image fetched and waiting for the next reset. */
const stagedItemId = (componentId: string) => `${componentId}-Staged`;

/** Every URI a SimpleUpdate target may name, to the system and component it means (hidden). */
export const FIRMWARE_ADDRESSES = '#firmware-addresses';
export type FirmwareAddresses = Record<string, { readonly systemId: string; readonly componentId: string }>;
/** The inventory items of each system, to drop those it no longer has (hidden). */
const itemsOf = (systemId: string) => `#firmware-items/${systemId}`;

const FIRMWARE_EVENTS = new Set([
  'FirmwareRegistered',
  'FirmwareImageStaged',
  'FirmwareUpdateApplied',
  'FirmwareUpdateFailed',
]);

/** The firmware of a system as its stored state holds it (the systems projector folds it first). */
function firmwareOf(views: Pick<ViewWriter, 'get'>, systemId: string): FirmwareState | undefined {
  return storedState<SystemState>(views, `/redfish/v1/Systems/${systemId}`)?.firmware;
}

/**
 * The version each resource's firmware runs, by the resource's @odata.id: for the storage
 * projector, whose documents are made afresh at every storage event.
 */
export function firmwareVersionsByResource(views: Pick<ViewWriter, 'get'>, systemId: string): Record<string, string> {
  const firmware = firmwareOf(views, systemId);
  return Object.fromEntries((firmware?.components ?? []).map((c) => [c.about, firmware!.installed[c.id] ?? c.version]));
}

/**
 * The UpdateService with its SimpleUpdate action, and the FirmwareInventory: one item per
 * component of each system (its BIOS, its BMC, its storage controllers and drives) with the
 * version it runs, one more per image staged for the next reset, and the version shown on the
 * resource it is about (BiosVersion, the Manager's FirmwareVersion, a drive's Revision…).
 */
export const firmwareInventoryProjector: Projector = {
  name: 'firmware-inventory',
  apply(recorded: RecordedEvent, views) {
    if (recorded.streamId === SERVICE_STREAM && recorded.type === 'ServiceCreated')
      return createUpdateService(views, recorded.position);
    const systemId = systemIdOfStream(recorded.streamId);
    if (systemId === undefined || !FIRMWARE_EVENTS.has(recorded.type)) return;
    const firmware = firmwareOf(views, systemId);
    if (firmware) render(views, recorded.position, systemId, firmware);
  },
};

function createUpdateService(views: ViewWriter, position: number): void {
  if (views.get(UPDATE_SERVICE)) return;
  views.put(
    {
      '@odata.id': UPDATE_SERVICE,
      '@odata.type': ODATA_TYPE.UpdateService,
      Id: 'UpdateService',
      Name: 'Update Service',
      ServiceEnabled: true,
      Status: { State: 'Enabled', Health: 'OK' },
      FirmwareInventory: { '@odata.id': INVENTORY },
      SoftwareInventory: { '@odata.id': SOFTWARE_INVENTORY },
      Actions: {
        '#UpdateService.SimpleUpdate': {
          target: SIMPLE_UPDATE,
          'TransferProtocol@Redfish.AllowableValues': [...TRANSFER_PROTOCOLS],
          '@Redfish.ActionInfo': `${UPDATE_SERVICE}/SimpleUpdateActionInfo`,
        },
      },
    },
    position,
  );
  views.put(
    {
      '@odata.id': `${UPDATE_SERVICE}/SimpleUpdateActionInfo`,
      '@odata.type': ODATA_TYPE.ActionInfo,
      Id: 'SimpleUpdateActionInfo',
      Name: 'Simple Update Action Info',
      Parameters: [
        { Name: 'ImageURI', Required: true, DataType: 'String' },
        { Name: 'Targets', Required: true, DataType: 'StringArray' },
        { Name: 'TransferProtocol', Required: false, DataType: 'String', AllowableValues: [...TRANSFER_PROTOCOLS] },
        { Name: 'Username', Required: false, DataType: 'String' },
        { Name: 'Password', Required: false, DataType: 'String' },
      ],
    },
    position,
  );
  views.put(
    {
      '@odata.id': INVENTORY,
      '@odata.type': ODATA_TYPE.SoftwareInventoryCollection,
      Name: 'Firmware Inventory',
      Members: [],
      'Members@odata.count': 0,
    },
    position,
  );
  views.put(
    {
      '@odata.id': SOFTWARE_INVENTORY,
      '@odata.type': ODATA_TYPE.SoftwareInventoryCollection,
      Name: 'Software Inventory',
      Members: [],
      'Members@odata.count': 0,
    },
    position,
  );
  linkFromServiceRoot(views, position, 'UpdateService', UPDATE_SERVICE);
}

function item(component: FirmwareComponent, version: string, staged: boolean): ViewDocument {
  const id = staged ? stagedItemId(component.id) : component.id;
  return {
    '@odata.id': firmwareItemUri(id),
    '@odata.type': ODATA_TYPE.SoftwareInventory,
    Id: id,
    Name: staged ? `${component.name}, staged for the next reset` : component.name,
    SoftwareId: component.kind,
    Manufacturer: 'redfish-emulator',
    Version: version,
    Updateable: true,
    ResetRequiredOnUpdate: true,
    Active: !staged,
    Staged: staged,
    // StandbyOffline: present, and waiting for an outside action (the reset) to take effect.
    Status: staged ? { State: 'StandbyOffline', Health: 'OK' } : { State: 'Enabled', Health: 'OK' },
    RelatedItem: [{ '@odata.id': component.about }],
    'RelatedItem@odata.count': 1,
  };
}

function render(views: ViewWriter, position: number, systemId: string, firmware: FirmwareState): void {
  const staged = stagedVersions(firmware);
  const documents = firmware.components.flatMap((c) => [
    item(c, firmware.installed[c.id] ?? c.version, false),
    ...(staged[c.id] !== undefined ? [item(c, staged[c.id]!, true)] : []),
  ]);
  const ids = documents.map((d) => d['@odata.id'] as string);
  const before = (views.get(itemsOf(systemId))?.['ids'] as string[] | undefined) ?? [];
  for (const gone of before.filter((id) => !ids.includes(id))) views.delete(gone);
  for (const document of documents) putIfChanged(views, position, document);
  putIfChanged(views, position, { '@odata.id': itemsOf(systemId), ids });

  const collection = views.get(INVENTORY)!;
  const members = [
    ...(collection['Members'] as { '@odata.id': string }[])
      .map((m) => m['@odata.id'])
      .filter((id) => !before.includes(id)),
    ...ids,
  ];
  members.sort(compareMemberIds);
  putIfChanged(views, position, {
    ...collection,
    Members: members.map((id) => ({ '@odata.id': id })),
    'Members@odata.count': members.length,
  });

  const addresses = Object.fromEntries(
    Object.entries((views.get(FIRMWARE_ADDRESSES)?.['addresses'] ?? {}) as FirmwareAddresses).filter(
      ([, a]) => a.systemId !== systemId,
    ),
  );
  for (const c of firmware.components)
    for (const address of c.addresses) addresses[address] = { systemId, componentId: c.id };
  putIfChanged(views, position, { '@odata.id': FIRMWARE_ADDRESSES, addresses });

  for (const c of firmware.components) showVersion(views, position, c, firmware.installed[c.id] ?? c.version);
}

/** The version on the resource the firmware is about, where Redfish puts it for each kind. */
function showVersion(views: ViewWriter, position: number, component: FirmwareComponent, version: string): void {
  const set = (odataId: string, change: (doc: ViewDocument) => ViewDocument) => {
    const doc = views.get(odataId);
    if (doc) putIfChanged(views, position, change(doc));
  };
  switch (component.kind) {
    case 'BIOS':
      return set(component.about, (doc) => ({ ...doc, BiosVersion: version }));
    case 'BMC':
      return set(component.about, (doc) => ({ ...doc, FirmwareVersion: version }));
    case 'Drive':
      return set(component.about, (doc) => ({ ...doc, Revision: version }));
    case 'StorageController': {
      set(component.about, (doc) => ({ ...doc, FirmwareVersion: version }));
      // The Storage document embeds its controller too, for older clients.
      const storage = component.about.replace(/\/Controllers\/[^/]+$/, '');
      return set(storage, (doc) => ({
        ...doc,
        StorageControllers: (doc['StorageControllers'] as ViewDocument[]).map((c) => ({
          ...c,
          FirmwareVersion: version,
        })),
      }));
    }
  }
}
