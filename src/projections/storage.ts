import type { RecordedEvent } from '../eventstore/event.js';
import { naaDurableName } from '../domain/storage/durable-name.js';
import {
  storageDecider,
  volumeCondition,
  type OpenOperation,
  type StorageState,
  type VolumeRecord,
} from '../domain/storage/storage-decider.js';
import { APPLY_TIMES, INITIALIZE_TYPES, driveUri, type StorageEvent } from '../domain/storage/storage-events.js';
import { evolveStoredState, putIfChanged } from './aggregate-state.js';
import { addMember } from './collection.js';
import { chassisOf } from './manager-and-chassis.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument, ViewWriter } from '../eventstore/projector.js';
import { taskUri } from './tasks.js';
import { firmwareVersionsByResource } from './firmware-inventory.js';
import { isStorageStream } from '../domain/stream-ids.js';

type Status = { State: string; Health: string };
const HEALTH_ORDER = ['OK', 'Warning', 'Critical'];
const worst = (healths: readonly string[]) =>
  healths.reduce((a, b) => (HEALTH_ORDER.indexOf(b) > HEALTH_ORDER.indexOf(a) ? b : a), 'OK');
const link = (id: string) => ({ '@odata.id': id });

/** Whether clients may ask for an operation now or at the next reset: both, on collection and volume. */
const APPLY_TIME_SUPPORT = {
  '@odata.type': '#Settings.v1_4_0.OperationApplyTimeSupport',
  SupportedValues: [...APPLY_TIMES],
};

/**
 * The NAA names of drives and controllers, made once per seed: a render makes every drive's
 * document at each event of the storage, and a name is a SHA-256. Bounded, for a long-running
 * process whose drives keep being replaced.
 */
const durableNames = new Map<string, string>();
function durableName(seed: string): string {
  let name = durableNames.get(seed);
  if (name === undefined) {
    if (durableNames.size >= 10_000) durableNames.clear();
    durableNames.set(seed, (name = naaDurableName(seed)));
  }
  return name;
}

/**
 * Each storage subsystem's documents, rendered from the storage aggregate's state (folded with
 * the decider's own evolve and kept beside the views): Storage with its controller (embedded for
 * older clients, as a Controllers member for newer), Drives, Volumes, SimpleStorage (the disks
 * the host sees, one per created volume), and the links from the system and chassis.
 */
export const storageProjector: Projector = {
  name: 'storage',
  apply(recorded: RecordedEvent, views) {
    if (!isStorageStream(recorded.streamId)) return;
    const event = { type: recorded.type, data: recorded.data } as StorageEvent;
    const state = evolveStoredState(views, recorded.position, recorded.streamId, storageDecider, event);
    if (state.registration) render(views, recorded.position, recorded.streamId, state);
  },
};

function render(views: ViewWriter, position: number, storageId: string, state: StorageState): void {
  const registration = state.registration!;
  const { systemId } = registration;
  const system = `/redfish/v1/Systems/${systemId}`;
  const volumesId = `${storageId}/Volumes`;
  const volumes = Object.values(state.volumes).sort((a, b) => Number(a.volumeId) - Number(b.volumeId));
  const previousVolumes = ((views.get(volumesId)?.['Members'] as { '@odata.id': string }[] | undefined) ?? []).map(
    (m) => m['@odata.id'],
  );
  const volumeDocs = volumes.map((volume) => volumeDocument(storageId, volume, state));
  // Firmware updates change what the drives and the controller run; the config gave the first versions.
  const firmware = firmwareVersionsByResource(views, systemId);
  const driveDocs = registration.drives.map((drive) => {
    const id = driveUri(systemId, registration.storageId, drive.id);
    const failed = state.failedDrives.includes(id);
    const rebuilds = volumes.filter((v) => v.rebuilding.includes(id));
    return {
      '@odata.id': id,
      '@odata.type': ODATA_TYPE.Drive,
      Id: drive.id,
      Name: drive.name,
      Status: failed ? { State: 'UnavailableOffline', Health: 'Critical' } : { State: 'Enabled', Health: 'OK' },
      CapacityBytes: drive.capacityBytes,
      BlockSizeBytes: drive.blockSizeBytes,
      MediaType: drive.mediaType,
      Protocol: drive.protocol,
      Manufacturer: drive.manufacturer,
      Model: drive.model,
      SerialNumber: state.replacedSerials[id] ?? drive.serialNumber,
      Revision: firmware.get(id) ?? drive.revision,
      ...(drive.rotationSpeedRPM !== undefined && { RotationSpeedRPM: drive.rotationSpeedRPM }),
      FailurePredicted: false,
      LocationIndicatorActive: (state.locatedDrives ?? []).includes(id),
      Identifiers: [
        {
          DurableNameFormat: 'NAA',
          DurableName: durableName(`${id}/${state.replacedSerials[id] ?? drive.serialNumber}`),
        },
      ],
      Operations: rebuilds.map((v) => ({ Operation: 'Rebuild', PercentageComplete: v.rebuildPercent })),
      Links: {
        Volumes: volumes.filter((v) => v.members.includes(id)).map((v) => link(`${volumesId}/${v.volumeId}`)),
        Chassis: link(chassisOf(systemId)),
      },
    };
  });
  const health = worst([...driveDocs, ...volumeDocs].map((doc) => (doc.Status as Status).Health));
  const controller = {
    Name: registration.controller.model,
    Status: { State: 'Enabled', Health: 'OK' },
    Manufacturer: registration.controller.manufacturer,
    Model: registration.controller.model,
    FirmwareVersion: firmware.get(`${storageId}/Controllers/0`) ?? registration.controller.firmwareVersion,
    SpeedGbps: registration.controller.speedGbps,
    SupportedControllerProtocols: ['PCIe'],
    SupportedDeviceProtocols: [...registration.controller.protocols],
    SupportedRAIDTypes: [...registration.controller.supportedRaidTypes],
    Identifiers: [{ DurableNameFormat: 'NAA', DurableName: durableName(storageId) }],
  };
  const documents: ViewDocument[] = [
    {
      '@odata.id': storageId,
      '@odata.type': ODATA_TYPE.Storage,
      Id: registration.storageId,
      Name: registration.name,
      Status: { State: 'Enabled', Health: 'OK', HealthRollup: health },
      StorageControllers: [{ '@odata.id': `${storageId}#/StorageControllers/0`, MemberId: '0', ...controller }],
      Controllers: link(`${storageId}/Controllers`),
      Drives: driveDocs.map((d) => link(d['@odata.id'])),
      'Drives@odata.count': driveDocs.length,
      Volumes: link(volumesId),
      Links: { Enclosures: [link(chassisOf(systemId))] },
    },
    collection(`${storageId}/Controllers`, ODATA_TYPE.StorageControllerCollection, 'Storage Controller Collection', [
      '0',
    ]),
    { '@odata.id': `${storageId}/Controllers/0`, '@odata.type': ODATA_TYPE.StorageController, Id: '0', ...controller },
    ...driveDocs,
    {
      ...collection(
        volumesId,
        ODATA_TYPE.VolumeCollection,
        'Volume Collection',
        volumes.map((v) => v.volumeId),
      ),
      '@Redfish.OperationApplyTimeSupport': APPLY_TIME_SUPPORT,
    },
    ...volumeDocs,
    simpleStorageDocument(system, registration.storageId, registration.name, volumes, volumeDocs, health),
  ];
  for (const document of documents) putIfChanged(views, position, document);
  // A deleted volume's document goes with it.
  for (const gone of previousVolumes.filter((id) => !volumes.some((v) => id === `${volumesId}/${v.volumeId}`)))
    views.delete(gone);
  linkOnce(views, position, system, 'Storage', `${system}/Storage`);
  linkOnce(views, position, system, 'SimpleStorage', `${system}/SimpleStorage`);
  addMember(
    views,
    position,
    { id: `${system}/Storage`, type: ODATA_TYPE.StorageCollection, name: 'Storage Collection' },
    storageId,
  );
  addMember(
    views,
    position,
    { id: `${system}/SimpleStorage`, type: ODATA_TYPE.SimpleStorageCollection, name: 'Simple Storage Collection' },
    `${system}/SimpleStorage/${registration.storageId}`,
  );
  const chassis = views.get(chassisOf(systemId));
  if (chassis) {
    const links = (chassis['Links'] ?? {}) as Record<string, unknown>;
    putIfChanged(views, position, {
      ...chassis,
      Links: {
        ...links,
        Drives: mergeLinks(
          links['Drives'],
          driveDocs.map((d) => d['@odata.id']),
        ),
      },
    });
  }
}

function volumeDocument(storageId: string, volume: VolumeRecord, state: StorageState): ViewDocument {
  const id = `${storageId}/Volumes/${volume.volumeId}`;
  const operations = state.operations.filter((op) => op.volumeId === volume.volumeId);
  return {
    '@odata.id': id,
    '@odata.type': ODATA_TYPE.Volume,
    Id: volume.volumeId,
    Name: volume.name,
    // The name a client gives it (POST's Name, PATCH's DisplayName: Name itself is read-only).
    DisplayName: volume.name,
    Status: volumeStatus(volume, operations, state.failedDrives),
    RAIDType: volume.raidType,
    VolumeType: volume.volumeType,
    CapacityBytes: volume.capacityBytes,
    BlockSizeBytes: volume.blockSizeBytes,
    ...(volume.stripSizeBytes !== undefined && { StripSizeBytes: volume.stripSizeBytes }),
    ...(['RAID10', 'RAID50', 'RAID60'].includes(volume.raidType) && { MediaSpanCount: volume.setSize }),
    Encrypted: false,
    Identifiers: [{ DurableNameFormat: 'NAA', DurableName: volume.durableName }],
    Operations: [
      ...operations.filter((op) => op.kind !== 'create').map((op) => operationEntry(op)),
      ...(volume.rebuilding.length > 0 ? [{ Operation: 'Rebuild', PercentageComplete: volume.rebuildPercent }] : []),
    ],
    Links: { Drives: volume.members.map(link) },
    Actions: {
      '#Volume.Initialize': {
        target: `${id}/Actions/Volume.Initialize`,
        'InitializeType@Redfish.AllowableValues': [...INITIALIZE_TYPES],
      },
    },
    '@Redfish.OperationApplyTimeSupport': APPLY_TIME_SUPPORT,
  };
}

function operationEntry(op: OpenOperation) {
  return {
    Operation: op.kind === 'delete' ? 'Delete' : 'Initialize',
    PercentageComplete: 0,
    AssociatedTask: link(taskUri(op.taskId)),
  };
}

/**
 * Waiting for a reset to be made: Disabled; being made: Starting; made: what its drives allow
 * (Enabled/OK, Enabled/Warning when degraded, UnavailableOffline/Critical when its data is lost
 * or libvirt no longer holds its backing volume).
 */
function volumeStatus(
  volume: VolumeRecord,
  operations: readonly OpenOperation[],
  failedDrives: readonly string[],
): Status {
  if (!volume.created) {
    const create = operations.find((op) => op.kind === 'create');
    return { State: create?.state === 'Pending' ? 'Disabled' : 'Starting', Health: 'OK' };
  }
  if (volume.backingMissing !== undefined) return { State: 'UnavailableOffline', Health: 'Critical' };
  const condition = volumeCondition(volume, failedDrives);
  if (condition === 'Failed') return { State: 'UnavailableOffline', Health: 'Critical' };
  return { State: 'Enabled', Health: condition === 'Degraded' ? 'Warning' : 'OK' };
}

/** The disks the host sees: one per volume libvirt holds, as SimpleStorage reports devices. */
function simpleStorageDocument(
  system: string,
  storageId: string,
  name: string,
  volumes: readonly VolumeRecord[],
  volumeDocs: readonly ViewDocument[],
  health: string,
): ViewDocument {
  return {
    '@odata.id': `${system}/SimpleStorage/${storageId}`,
    '@odata.type': ODATA_TYPE.SimpleStorage,
    Id: storageId,
    Name: name,
    Status: { State: 'Enabled', Health: 'OK', HealthRollup: health },
    Devices: volumes.flatMap((volume, index) =>
      volume.created
        ? [
            {
              Name: volume.name,
              Model: volume.raidType,
              CapacityBytes: volume.capacityBytes,
              Status: volumeDocs[index]!['Status'],
            },
          ]
        : [],
    ),
  };
}

function collection(id: string, type: string, name: string, memberIds: readonly string[]): ViewDocument {
  return {
    '@odata.id': id,
    '@odata.type': type,
    Name: name,
    Members: memberIds.map((m) => link(`${id}/${m}`)),
    'Members@odata.count': memberIds.length,
  };
}

function linkOnce(views: ViewWriter, position: number, id: string, property: string, target: string): void {
  const doc = views.get(id);
  if (doc && (doc[property] as { '@odata.id'?: string } | undefined)?.['@odata.id'] !== target)
    views.put({ ...doc, [property]: link(target) }, position);
}

function mergeLinks(existing: unknown, ids: readonly string[]) {
  const current = ((existing as { '@odata.id': string }[] | undefined) ?? []).map((l) => l['@odata.id']);
  return [...new Set([...current, ...ids])].map(link);
}
