import type { RecordedEvent } from '../eventstore/event.js';
import { SERVICE_STREAM } from '../domain/service/service-events.js';
import { installedVersion, stagedVersions, type FirmwareState } from '../domain/firmware/firmware.js';
import { TRANSFER_PROTOCOLS, type FirmwareComponent } from '../domain/firmware/firmware-events.js';
import type { SystemState } from '../domain/system/system-decider.js';
import { putIfChanged, storedState } from './aggregate-state.js';
import { linkFromServiceRoot } from './collection.js';
import { assembledCollection, deleteMemberPart, putMemberPart } from '../views/assembled-collections.js';
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

/** A URI a SimpleUpdate target may name, to the system and component it means (hidden, one view per URI). */
export const firmwareAddressId = (address: string) => `#firmware-address:${address}`;
export interface FirmwareAddress {
  readonly systemId: string;
  readonly componentId: string;
}
/** Finds the component a target's URI names, if any. */
export type FirmwareAddresses = (address: string) => FirmwareAddress | undefined;
/** The inventory items and target URIs of each system, to drop those it no longer has (hidden). */
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
export function firmwareVersionsByResource(views: Pick<ViewWriter, 'get'>, systemId: string): Map<string, string> {
  const firmware = firmwareOf(views, systemId);
  return new Map((firmware?.components ?? []).map((c) => [c.about, installedVersion(firmware!, c)]));
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
    assembledCollection({
      '@odata.id': INVENTORY,
      '@odata.type': ODATA_TYPE.SoftwareInventoryCollection,
      Name: 'Firmware Inventory',
    }),
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
    item(c, installedVersion(firmware, c), false),
    ...(staged.has(c.id) ? [item(c, staged.get(c.id)!, true)] : []),
  ]);
  const ids = documents.map((d) => d['@odata.id'] as string);
  const kept = views.get(itemsOf(systemId));
  const before = (kept?.['ids'] as string[] | undefined) ?? [];
  for (const gone of before.filter((id) => !ids.includes(id))) {
    views.delete(gone);
    deleteMemberPart(views, position, INVENTORY, gone);
  }
  for (const document of documents) {
    putIfChanged(views, position, document);
    putMemberPart(views, position, document['@odata.id'] as string);
  }

  // Each address its own hidden view: a system's registration writes its own, not a map of every system's.
  const addresses = firmware.components.flatMap((c) => c.addresses.map((address) => ({ address, componentId: c.id })));
  const current = new Set(addresses.map((a) => a.address));
  for (const gone of ((kept?.['addresses'] as string[] | undefined) ?? []).filter((a) => !current.has(a)))
    if (views.get(firmwareAddressId(gone))?.['systemId'] === systemId) views.delete(firmwareAddressId(gone));
  for (const { address, componentId } of addresses)
    putIfChanged(views, position, { '@odata.id': firmwareAddressId(address), systemId, componentId });
  putIfChanged(views, position, { '@odata.id': itemsOf(systemId), ids, addresses: [...current] });

  for (const c of firmware.components) showVersion(views, position, c, installedVersion(firmware, c));
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
