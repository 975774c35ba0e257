import type { RecordedEvent } from '../../eventstore/event.js';
import type { StorageEvent } from '../../domain/storage/storage-events.js';
import type { StorageState } from '../../domain/storage/storage-decider.js';
import type { SystemEvent } from '../../domain/system/system-events.js';
import {
  EVENT_SERVICE_STREAM,
  subscriptionUri,
  type EventServiceEvent,
  type EventType,
} from '../../domain/event-service/event-service-events.js';
import { eventMessage, type EventRegistryPrefix } from '../../registries/event-registries.js';
import { isStorageStream, systemIdOfStream } from '../../domain/stream-ids.js';
import { ACCOUNT_SERVICE_STREAM, accountUri, type AccountEvent } from '../../domain/accounts/account-events.js';
import { MOCKUP_STREAM, resourceTypeOf, type MockupEvent } from '../../mockup/mockup-events.js';

/**
 * Which Redfish events each domain event is announced as, to SSE clients and push subscribers.
 *
 * One log position gives at most one Event payload, whose records say what changed: a resource
 * created, changed or removed (ResourceEvent registry), a task started or ended (TaskEvent), with
 * OriginOfCondition the resource concerned. Events that change no Redfish resource (a reset
 * asked for or carried out, a boot, an image attached or an eject asked for: their visible
 * effects are events of their own) give none, and are not announced.
 *
 * Pure: the same event and the same state of its storage before it give the same records.
 */

/** The `@odata.type` of every Event payload. */
export const EVENT_ODATA_TYPE = '#Event.v1_13_0.Event';

/** One thing an event announces, before it is written out as an event record. */
export interface Announcement {
  readonly registry: EventRegistryPrefix;
  readonly messageId: string;
  readonly args: readonly string[];
  /** The @odata.id of the resource concerned. */
  readonly origin: string;
  /** Its schema name (ComputerSystem, Volume, Task…), for ResourceTypes filters. */
  readonly resourceType: string;
  /** The deprecated EventType, still filled in for older clients. */
  readonly eventType: EventType;
}

/** What a mapping may need besides the event: its storage's state just before it. */
export interface AnnouncementContext {
  readonly storageBefore?: StorageState;
}

/** Event types that change no Redfish resource: not announced. */
export const NOT_ANNOUNCED: ReadonlySet<string> = new Set([
  'ResetRequested',
  'ResetApplied',
  'ResetFailed',
  'SystemBooted',
  'VirtualMediaInserted',
  'VirtualMediaEjectRequested',
]);

const TASKS = '/redfish/v1/TaskService/Tasks';

const created = (resourceType: string, origin: string): Announcement => ({
  registry: 'ResourceEvent',
  messageId: 'ResourceCreated',
  args: [],
  origin,
  resourceType,
  eventType: 'ResourceAdded',
});
const changed = (resourceType: string, origin: string): Announcement => ({
  registry: 'ResourceEvent',
  messageId: 'ResourceChanged',
  args: [],
  origin,
  resourceType,
  eventType: 'ResourceUpdated',
});
const removed = (resourceType: string, origin: string): Announcement => ({
  registry: 'ResourceEvent',
  messageId: 'ResourceRemoved',
  args: [],
  origin,
  resourceType,
  eventType: 'ResourceRemoved',
});
const task = (
  messageId: 'TaskStarted' | 'TaskCompletedOK' | 'TaskAborted' | 'TaskCancelled',
  taskId: string,
): Announcement => ({
  registry: 'TaskEvent',
  messageId,
  args: [taskId],
  origin: `${TASKS}/${taskId}`,
  resourceType: 'Task',
  eventType: 'StatusChange',
});

/** What one domain event announces, in order; empty when it is not announced. */
export function announcementsOf(event: RecordedEvent, context: AnnouncementContext = {}): Announcement[] {
  if (NOT_ANNOUNCED.has(event.type)) return [];
  if (event.streamId === '/redfish/v1')
    return event.type === 'ServiceCreated' ? [created('ServiceRoot', '/redfish/v1')] : [];
  if (event.streamId === EVENT_SERVICE_STREAM) return eventServiceAnnouncements(event);
  if (event.streamId === MOCKUP_STREAM)
    return mockupAnnouncements({ type: event.type, data: event.data } as MockupEvent);
  if (event.streamId === ACCOUNT_SERVICE_STREAM) return accountAnnouncements(event);
  const systemId = systemIdOfStream(event.streamId);
  if (systemId !== undefined) return systemAnnouncements(event, systemId);
  if (isStorageStream(event.streamId)) return storageAnnouncements(event, context.storageBefore);
  // A stream this mapping does not know is not one of the Redfish resources it announces.
  return [];
}

function systemAnnouncements(recorded: RecordedEvent, systemId: string): Announcement[] {
  const system = recorded.streamId;
  const manager = `/redfish/v1/Managers/${systemId}`;
  const event = { type: recorded.type, data: recorded.data } as SystemEvent;
  switch (event.type) {
    case 'SystemRegistered': {
      // Its first event makes the system, its BMC and its chassis; a later one (the config changed) renames them.
      const announce = recorded.streamVersion === 1 ? created : changed;
      return [
        announce('ComputerSystem', system),
        announce('Manager', manager),
        announce('Chassis', `/redfish/v1/Chassis/${systemId}`),
      ];
    }
    case 'PowerStateObserved': {
      const power =
        event.data.powerState === 'On'
          ? 'ResourcePoweredOn'
          : event.data.powerState === 'Off'
            ? 'ResourcePoweredOff'
            : undefined;
      // A paused machine is shown as On: nothing to say about its power.
      return [
        changed('ComputerSystem', system),
        ...(power
          ? [
              {
                registry: 'ResourceEvent',
                messageId: power,
                args: [system],
                origin: system,
                resourceType: 'ComputerSystem',
                eventType: 'StatusChange',
              } as const,
            ]
          : []),
      ];
    }
    case 'BiosSettingsRequested':
      return [changed('Bios', `${system}/Bios/Settings`)];
    case 'BiosSettingsApplied':
    case 'BiosReset':
      return [changed('Bios', `${system}/Bios`), changed('Bios', `${system}/Bios/Settings`)];
    case 'VirtualMediaInsertRequested':
    case 'VirtualMediaInsertFailed':
    case 'VirtualMediaEjectRequested':
    case 'VirtualMediaEjected':
    case 'VirtualMediaVerificationChanged':
    case 'VirtualMediaDownloadProgressed':
      return [changed('VirtualMedia', `${manager}/VirtualMedia/${event.data.device}`)];
    case 'VirtualMediaCertificateAdded':
      return [
        created('Certificate', `${manager}/VirtualMedia/${event.data.device}/Certificates/${event.data.certificateId}`),
      ];
    case 'VirtualMediaCertificateReplaced':
      return [
        changed('Certificate', `${manager}/VirtualMedia/${event.data.device}/Certificates/${event.data.certificateId}`),
      ];
    case 'VirtualMediaCertificateRemoved':
      return [
        removed('Certificate', `${manager}/VirtualMedia/${event.data.device}/Certificates/${event.data.certificateId}`),
      ];
    case 'FirmwareUpdateRequested':
      return [created('Task', `${TASKS}/${event.data.taskId}`), task('TaskStarted', event.data.taskId)];
    case 'FirmwareImageStaged':
      return [changed('Task', `${TASKS}/${event.data.taskId}`)];
    case 'FirmwareUpdateFailed':
      return [task('TaskAborted', event.data.taskId)];
    case 'FirmwareUpdateApplied':
      return [changed('ComputerSystem', system), task('TaskCompletedOK', event.data.taskId)];
    default:
      // Observations of the domain, the boot override, the locator light, and any newer type: the system changed.
      return [changed('ComputerSystem', system)];
  }
}

function storageAnnouncements(recorded: RecordedEvent, before: StorageState | undefined): Announcement[] {
  const storage = recorded.streamId;
  const volume = (volumeId: string) => `${storage}/Volumes/${volumeId}`;
  const event = { type: recorded.type, data: recorded.data } as StorageEvent;
  const operation = (taskId: string) => before?.operations.find((op) => op.taskId === taskId);
  /** A drive fault or replacement changes the volumes made on it too. */
  const onDrive = (drive: string) =>
    Object.values(before?.volumes ?? {})
      .filter((v) => v.created && v.members.includes(drive))
      .map((v) => changed('Volume', volume(v.volumeId)));
  switch (event.type) {
    case 'StorageRegistered':
      return [(recorded.streamVersion === 1 ? created : changed)('Storage', storage)];
    case 'VolumeCreateRequested':
    case 'VolumeDeleteRequested':
    case 'VolumeInitializeRequested': {
      const { taskId, volumeId, applyTime } = event.data;
      return [
        event.type === 'VolumeCreateRequested'
          ? created('Volume', volume(volumeId))
          : changed('Volume', volume(volumeId)),
        created('Task', `${TASKS}/${taskId}`),
        // OnReset work waits (Pending) and starts at the next boot (PendingOperationsStarted).
        ...(applyTime === 'Immediate' ? [task('TaskStarted', taskId)] : []),
      ];
    }
    case 'PendingOperationsStarted': {
      const volumes = [
        ...new Set(
          event.data.taskIds.map((id) => operation(id)?.volumeId).filter((id): id is string => id !== undefined),
        ),
      ];
      return [
        ...volumes.map((id) => changed('Volume', volume(id))),
        ...event.data.taskIds.map((id) => task('TaskStarted', id)),
      ];
    }
    case 'VolumeOperationCompleted': {
      const { taskId, volumeId } = event.data;
      const gone = operation(taskId)?.kind === 'delete';
      return [(gone ? removed : changed)('Volume', volume(volumeId)), task('TaskCompletedOK', taskId)];
    }
    case 'VolumeOperationFailed': {
      const { taskId, volumeId } = event.data;
      // A volume whose create failed never was; work on one that is gone leaves nothing to change.
      const kind = operation(taskId)?.kind;
      const exists = before ? before.volumes[volumeId] !== undefined : true;
      const effect = !exists
        ? []
        : kind === 'create'
          ? [removed('Volume', volume(volumeId))]
          : [changed('Volume', volume(volumeId))];
      return [...effect, task('TaskAborted', taskId)];
    }
    case 'VolumeOperationCancelled': {
      const { taskId, volumeId } = event.data;
      // A volume waiting to be made that never will be is gone; other cancelled work changes nothing.
      const effect = operation(taskId)?.kind === 'create' ? [removed('Volume', volume(volumeId))] : [];
      return [...effect, task('TaskCancelled', taskId)];
    }
    case 'VolumeRenamed':
    case 'VolumeRebuildProgressed':
    case 'VolumeBackingLost':
    case 'VolumeBackingRestored':
      return [changed('Volume', volume(event.data.volumeId))];
    case 'DriveFailed':
    case 'DriveReplaced':
      return [changed('Drive', event.data.driveId), ...onDrive(event.data.driveId)];
    default:
      return [changed('Storage', storage)];
  }
}

function eventServiceAnnouncements(recorded: RecordedEvent): Announcement[] {
  const event = { type: recorded.type, data: recorded.data } as EventServiceEvent;
  switch (event.type) {
    case 'SubscriptionCreated':
      return [created('EventDestination', subscriptionUri(event.data.subscriptionId))];
    case 'SubscriptionDeleted':
    case 'SubscriptionTerminated':
      return [removed('EventDestination', subscriptionUri(event.data.subscriptionId))];
    case 'SubscriptionSuspended':
    case 'SubscriptionResumed':
      return [changed('EventDestination', subscriptionUri(event.data.subscriptionId))];
    default:
      return [changed('EventService', EVENT_SERVICE_STREAM)];
  }
}

/** Accounts made, changed (a password set or an unlock too, never what it was) and removed; the service's settings. */
function accountAnnouncements(recorded: RecordedEvent): Announcement[] {
  const event = { type: recorded.type, data: recorded.data } as AccountEvent;
  switch (event.type) {
    case 'AccountCreated':
      return [created('ManagerAccount', accountUri(event.data.userName))];
    case 'AccountChanged':
    case 'AccountPasswordChanged':
    case 'AccountUnlocked':
      return [changed('ManagerAccount', accountUri(event.data.userName))];
    case 'AccountDeleted':
      return [removed('ManagerAccount', accountUri(event.data.userName))];
    default:
      return [changed('AccountService', ACCOUNT_SERVICE_STREAM)];
  }
}

/** One entry of an Event payload's `Events` (its MemberId is given by the payload it goes in). */
export interface EventRecord {
  readonly EventType: EventType;
  readonly EventId: string;
  readonly EventTimestamp: string;
  readonly EventGroupId: number;
  readonly MessageId: string;
  readonly Message: string;
  readonly MessageArgs: readonly string[];
  readonly MessageSeverity: string;
  readonly OriginOfCondition: { readonly '@odata.id': string };
}

/**
 * An announcement as the event record clients receive. EventId is `{position}.{index}` (the index
 * among everything the event announces, so a filtered subscription sees the same ids as an SSE
 * client), unique across the log; EventGroupId is the position, shared by one event's records.
 */
export function eventRecord(event: RecordedEvent, announcement: Announcement, index: number): EventRecord {
  const message = eventMessage(announcement.registry, announcement.messageId, announcement.args);
  return {
    EventType: announcement.eventType,
    EventId: `${event.position}.${index}`,
    EventTimestamp: event.recordedAt,
    EventGroupId: event.position,
    MessageId: message.MessageId,
    Message: message.Message,
    MessageArgs: message.MessageArgs,
    MessageSeverity: message.MessageSeverity,
    OriginOfCondition: { '@odata.id': announcement.origin },
  };
}

/** The Redfish Event payload of one log position: its records, and the subscriber's Context when it has one. */
export function eventPayload(
  event: RecordedEvent,
  records: readonly EventRecord[],
  context?: string | null,
): Record<string, unknown> {
  return {
    '@odata.type': EVENT_ODATA_TYPE,
    Id: String(event.position),
    Name: 'Redfish Event',
    ...(typeof context === 'string' && { Context: context }),
    Events: records.map((record, i) => ({ MemberId: String(i), ...record })),
    'Events@odata.count': records.length,
  };
}

/**
 * A mockup lab's changes: a resource written, created or deleted. The tree as imported is the
 * lab's starting state, not a change, and an action is announced by the changes it makes.
 */
function mockupAnnouncements(event: MockupEvent): Announcement[] {
  switch (event.type) {
    case 'MockupResourcePatched':
      return [changed(event.data.resourceType, event.data.odataId)];
    case 'MockupResourceCreated':
      return [created(resourceTypeOf(event.data.document), event.data.odataId)];
    case 'MockupResourceDeleted':
      return [removed(event.data.resourceType, event.data.odataId)];
    default:
      return [];
  }
}
