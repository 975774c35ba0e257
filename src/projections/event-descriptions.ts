import type { RecordedEvent } from '../eventstore/event.js';
import { baseMessage } from '../registries/base-registry.js';
import { eventMessage } from '../registries/event-registries.js';
import { driveUri, volumeUri } from '../domain/storage/storage-events.js';
import { virtualMediaOf } from './virtual-media.js';
import { taskUri } from './tasks.js';
import type { ViewDocument } from '../eventstore/projector.js';
import { streamOwner } from '../domain/stream-ids.js';

/** A registry message with its arguments filled in: what a LogEntry (or an Event record) carries. */
export interface DescribedMessage {
  readonly MessageId: string;
  readonly Message: string;
  readonly MessageArgs: readonly string[];
  readonly MessageSeverity: string;
}

/** An event of a system (or of something of it) told as a BMC's log tells it. */
export interface EventDescription {
  /** The registry message that classifies it (ResourceEvent, TaskEvent, or Base). */
  readonly message: DescribedMessage;
  /** The resource it is about: a LogEntry's OriginOfCondition. */
  readonly origin: string;
  /** What happened, in words of its own, with the values the message's arguments leave out. */
  readonly detail: string;
  /** A resource the event may have removed (the volume of a finished delete): entries naming it say it is gone. */
  readonly mayRemove?: string;
}

type Data = Record<string, unknown>;
const MiB = 1024 * 1024;

const text = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'nothing'));
const size = (bytes: unknown) =>
  typeof bytes === 'number'
    ? bytes >= 1024 * MiB
      ? `${+(bytes / (1024 * MiB)).toFixed(2)} GiB`
      : `${+(bytes / MiB).toFixed(2)} MiB`
    : '?';
const lastSegment = (id: unknown) => (typeof id === 'string' ? id.split('/').pop()! : text(id));
const attributes = (value: unknown) =>
  Object.entries((value ?? {}) as Data)
    .map(([name, v]) => `${name}=${text(v)}`)
    .join(', ') || 'none';
const clip = (value: string, width = 160) => (value.length <= width ? value : `${value.slice(0, width - 1)}…`);

const resource = (messageId: string, args: readonly string[] = []) => eventMessage('ResourceEvent', messageId, args);
const task = (messageId: string, args: readonly string[]) => eventMessage('TaskEvent', messageId, args);
/** A registry's severity is its usual one; a log of changes made on purpose says OK. */
const asOk = (message: DescribedMessage): DescribedMessage => ({ ...message, MessageSeverity: 'OK' });

/**
 * The message, origin and words for an event of a system's streams. `lookup` reads a view as
 * it stands after the event (a task's name). Event types this does not know, and payloads it
 * does not expect, still get an entry: ResourceChanged with the type and payload as they are.
 */
export function describeEvent(
  event: RecordedEvent,
  lookup: (odataId: string) => ViewDocument | undefined,
): EventDescription | undefined {
  const owner = streamOwner(event.streamId);
  if (!owner) return undefined;
  const d = (event.data ?? {}) as Data;
  const system = `/redfish/v1/Systems/${owner.systemId}`;
  const said = (message: DescribedMessage, origin: string, detail: string): EventDescription => ({
    message,
    origin,
    detail,
  });
  const created = event.streamVersion === 1;

  if (owner.storageId !== undefined) {
    const storageId = owner.storageId;
    const volume = volumeUri(owner.systemId, storageId, text(d['volumeId']));
    // Drive events name the drive by its @odata.id.
    const drive = text(d['driveId']).startsWith('/')
      ? text(d['driveId'])
      : driveUri(owner.systemId, storageId, text(d['driveId']));
    const driveId = lastSegment(d['driveId']);
    const taskName = (id: unknown) => (lookup(taskUri(text(id)))?.['Name'] as string | undefined) ?? `Task ${text(id)}`;
    const when = d['applyTime'] === 'OnReset' ? 'at the next reset' : 'now';
    switch (event.type) {
      case 'StorageRegistered': {
        const controller = (d['controller'] ?? {}) as Data;
        const drives = Array.isArray(d['drives']) ? d['drives'].length : 0;
        return said(
          resource(created ? 'ResourceCreated' : 'ResourceChanged'),
          event.streamId,
          `Storage ${text(d['name'])} ${created ? 'registered' : 'changed'} from the lab configuration: ${text(controller['model'])} with ${drives} drives.`,
        );
      }
      case 'VolumeCreateRequested': {
        const members = Array.isArray(d['members']) ? d['members'].map(lastSegment).join(', ') : '?';
        return said(
          resource('ResourceCreated'),
          volume,
          `Volume ${text(d['volumeId'])}${d['name'] === `Volume ${text(d['volumeId'])}` ? '' : ` (${text(d['name'])})`} requested: ${text(d['raidType'])}, ${size(d['capacityBytes'])} on drives ${members}; task ${text(d['taskId'])}, carried out ${when}.`,
        );
      }
      case 'VolumeDeleteRequested':
        return said(
          resource('ResourceChanged'),
          volume,
          `Deletion of volume ${text(d['volumeId'])} requested; task ${text(d['taskId'])}, carried out ${when}.`,
        );
      case 'VolumeInitializeRequested':
        return said(
          resource('ResourceChanged'),
          volume,
          `${text(d['initializeType'])} initialization of volume ${text(d['volumeId'])} requested; task ${text(d['taskId'])}, carried out ${when}.`,
        );
      case 'PendingOperationsStarted': {
        const ids = Array.isArray(d['taskIds']) ? d['taskIds'].map(text) : [];
        if (ids.length === 1)
          return said(
            task('TaskStarted', [ids[0]!]),
            taskUri(ids[0]!),
            `${taskName(ids[0])}: the system was reset, the work starts.`,
          );
        return said(
          resource('ResourceChanged'),
          event.streamId,
          `The system was reset: tasks ${ids.join(', ')} start.`,
        );
      }
      case 'VolumeOperationCompleted':
        return {
          ...said(
            task('TaskCompletedOK', [text(d['taskId'])]),
            taskUri(text(d['taskId'])),
            `${taskName(d['taskId'])}: done in libvirt.`,
          ),
          mayRemove: volume,
        };
      case 'VolumeOperationFailed':
        return {
          ...said(
            task('TaskAborted', [text(d['taskId'])]),
            taskUri(text(d['taskId'])),
            `${taskName(d['taskId'])} failed: ${text(d['message'])}`,
          ),
          mayRemove: volume,
        };
      case 'VolumeOperationCancelled':
        return {
          ...said(
            task('TaskCancelled', [text(d['taskId'])]),
            taskUri(text(d['taskId'])),
            `${taskName(d['taskId'])} cancelled before the reset it waited for.`,
          ),
          mayRemove: volume,
        };
      case 'VolumeRenamed':
        return said(
          resource('PropertyValueModifiedByClient', ['DisplayName', text(d['name'])]),
          volume,
          `Volume ${text(d['volumeId'])} renamed.`,
        );
      case 'DriveFailed':
        return said(resource('ResourceStatusChangedCritical', [drive, 'Critical']), drive, `Drive ${driveId} failed.`);
      case 'DriveReplaced':
        return said(
          resource('ResourceStatusChangedOK', [drive, 'OK']),
          drive,
          `A new drive, serial ${text(d['serialNumber'])}, took bay ${driveId}.`,
        );
      case 'VolumeRebuildProgressed':
        return said(
          resource('ResourceChanged'),
          volume,
          `Rebuild of volume ${text(d['volumeId'])}: ${text(d['percent'])}% done.`,
        );
      case 'VolumeBackingLost':
        return said(
          resource('ResourceStatusChangedCritical', [volume, 'Critical']),
          volume,
          `Volume ${text(d['volumeId'])} lost its backing volume in libvirt: ${text(d['reason'])}.`,
        );
      case 'VolumeBackingRestored':
        return said(
          resource('ResourceStatusChangedOK', [volume, 'OK']),
          volume,
          `Volume ${text(d['volumeId'])} has its backing volume in libvirt again.`,
        );
      default:
        return said(resource('ResourceChanged'), event.streamId, `${event.type}: ${clip(JSON.stringify(d))}`);
    }
  }

  const media = `${virtualMediaOf(owner.systemId)}/${text(d['device'])}`;
  const bios = `${system}/Bios`;
  switch (event.type) {
    case 'SystemRegistered':
      return said(
        resource(created ? 'ResourceCreated' : 'ResourceChanged'),
        system,
        `System ${text(d['name'])} ${created ? 'registered' : 'changed'} from the lab configuration: libvirt domain ${text(d['domainName'])} at ${text(d['libvirtUri'])}.`,
      );
    case 'DomainObserved': {
      const macs = Array.isArray(d['macAddresses']) ? d['macAddresses'].map(text).join(', ') : '';
      return said(
        resource('ResourceChanged'),
        system,
        `libvirt reports the domain with ${text(d['vcpus'])} vCPUs, ${size(d['memoryBytes'])} of memory, ${text(d['firmware'])} firmware${macs ? `, NICs ${macs}` : ''}, UUID ${text(d['uuid'])}.`,
      );
    }
    case 'PowerStateObserved': {
      const state = text(d['powerState']);
      const id =
        state === 'On'
          ? 'ResourcePoweredOn'
          : state === 'Off'
            ? 'ResourcePoweredOff'
            : state === 'Paused'
              ? 'ResourcePaused'
              : undefined;
      return said(
        id ? resource(id, [system]) : resource('ResourceChanged'),
        system,
        `libvirt reports the domain ${state === 'On' ? 'running' : state === 'Off' ? 'shut off' : state.toLowerCase()}.`,
      );
    }
    case 'DomainMissingObserved':
      return said(
        resource('ResourceStatusChangedCritical', [system, 'Critical']),
        system,
        `libvirt has no domain ${text(d['domainName'])}: the system is Absent.`,
      );
    case 'DomainClaimed':
      return said(
        resource('ResourceChanged'),
        system,
        d['previousOwner'] === undefined
          ? `This store (${text(d['store'])}) claimed the domain ${text(d['domainName'])}, which no store owned.`
          : `This store (${text(d['store'])}) took the domain ${text(d['domainName'])} over from store ${text(d['previousOwner'])}.`,
      );
    case 'DomainOwnedElsewhere':
      return said(
        resource('ResourceStatusChangedCritical', [system, 'Critical']),
        system,
        `The domain ${text(d['domainName'])} is owned by another store (${text(d['owner'])}): this emulator leaves it alone.`,
      );
    case 'HostUnreachableObserved':
      return said(
        resource('ResourceStatusChangedCritical', [system, 'Critical']),
        system,
        `libvirt at ${text(d['libvirtUri'])} does not answer (${text(d['reason'])}): the system is UnavailableOffline until it does.`,
      );
    case 'HostReachableObserved':
      return said(
        resource('ResourceStatusChangedOK', [system, 'OK']),
        system,
        `libvirt at ${text(d['libvirtUri'])} answers again.`,
      );
    case 'ResetRequested': {
      const type = text(d['resetType']);
      const id = ['On', 'ForceOn'].includes(type)
        ? 'ResourcePoweringOn'
        : ['ForceOff', 'GracefulShutdown'].includes(type)
          ? 'ResourcePoweringOff'
          : undefined;
      return said(
        id ? resource(id, [system]) : resource('ResourceChanged'),
        system,
        `ComputerSystem.Reset with ResetType ${type} requested.`,
      );
    }
    case 'ResetApplied':
      return said(
        resource('ResourceChanged'),
        system,
        `Reset ${text(d['resetType'])} (requested by event ${text(d['requestedAt'])}) carried out on the domain.`,
      );
    case 'ResetFailed':
      return said(
        resource('ResourceErrorsDetected', ['PowerState', clip(text(d['message']))]),
        system,
        `Reset ${text(d['resetType'])} (requested by event ${text(d['requestedAt'])}) failed: ${text(d['message'])}`,
      );
    case 'SystemBooted':
      return said(resource('ResourceChanged'), system, 'The system booted: what waited for a reset takes effect.');
    case 'BootOverrideChanged':
      return said(
        resource('PropertyValueModifiedByClient', ['Boot/BootSourceOverrideTarget', text(d['target'])]),
        system,
        `Boot source override: ${text(d['target'])}, ${text(d['enabled'])}.`,
      );
    case 'BootOverrideConsumed':
      return said(
        asOk(baseMessage('PropertyValueModified', ['Boot/BootSourceOverrideEnabled', 'Disabled'])),
        system,
        `The system booted from ${text(d['target'])} once; the override is spent.`,
      );
    case 'BootModeChanged':
      return said(
        resource('PropertyValueModifiedByClient', ['Boot/BootSourceOverrideMode', text(d['mode'])]),
        system,
        `Boot mode ${text(d['mode'])} from the next boot.`,
      );
    case 'SecureBootChanged':
      return said(
        resource('PropertyValueModifiedByClient', ['SecureBootEnable', text(d['enabled'])]),
        `${system}/SecureBoot`,
        `Secure Boot ${d['enabled'] ? 'on' : 'off'} from the next boot.`,
      );
    case 'SecureBootApplied':
      return said(
        resource('ResourceChanged'),
        `${system}/SecureBoot`,
        `The system booted with Secure Boot ${d['enabled'] ? 'on' : 'off'}.`,
      );
    case 'AssetTagChanged':
      return said(
        resource('PropertyValueModifiedByClient', ['AssetTag', text(d['assetTag'])]),
        system,
        `AssetTag set to '${text(d['assetTag'])}'.`,
      );
    case 'IndicatorChanged':
      return said(
        resource('PropertyValueModifiedByClient', ['IndicatorLED', text(d['led'])]),
        system,
        `Locator light ${text(d['led'])}.`,
      );
    case 'BiosSettingsRequested':
      return said(
        resource('PropertyValueModifiedByClient', ['Attributes', clip(attributes(d['attributes']))]),
        `${bios}/Settings`,
        `BIOS settings for the next boot: ${attributes(d['attributes'])}.`,
      );
    case 'BiosSettingsApplied':
      return said(
        resource('ResourceChanged'),
        bios,
        `The system booted with its pending BIOS settings: ${attributes(d['attributes'])}.`,
      );
    case 'BiosReset':
      return said(resource('ResourceChanged'), bios, 'Bios.ResetBios: every attribute back to its default.');
    case 'VirtualMediaInsertRequested':
      return said(
        resource('PropertyValueModifiedByClient', ['Image', text(d['image'])]),
        media,
        `VirtualMedia.InsertMedia of ${text(d['image'])} into ${text(d['device'])}.`,
      );
    case 'VirtualMediaInserted':
      return said(resource('ResourceChanged'), media, `Image ${text(d['image'])} fetched and in ${text(d['device'])}.`);
    case 'VirtualMediaDownloadProgressed': {
      const total = typeof d['totalBytes'] === 'number' ? d['totalBytes'] : undefined;
      const done = `${size(d['bytes'])}${total ? ` of ${size(total)} (${Math.floor((100 * Number(d['bytes'])) / total)}%)` : ''}`;
      return said(
        resource('ResourceChanged'),
        media,
        `Fetching ${text(d['image'])} for ${text(d['device'])}: ${done} so far.`,
      );
    }
    case 'VirtualMediaInsertFailed':
      return said(
        resource('ResourceErrorsDetected', ['Image', clip(text(d['message']))]),
        media,
        `Image ${text(d['image'])} could not be put in ${text(d['device'])}: ${text(d['message'])}`,
      );
    case 'VirtualMediaEjectRequested':
      return said(
        resource('PropertyValueModifiedByClient', ['Inserted', 'false']),
        media,
        `VirtualMedia.EjectMedia of ${text(d['device'])}.`,
      );
    case 'VirtualMediaEjected':
      return said(resource('ResourceChanged'), media, `${text(d['device'])} is empty.`);
    case 'VirtualMediaVerificationChanged':
      return said(
        resource('PropertyValueModifiedByClient', ['VerifyCertificate', text(d['verify'])]),
        media,
        `${text(d['device'])} ${d['verify'] ? 'verifies' : 'does not verify'} the certificates of image servers.`,
      );
    case 'VirtualMediaCertificateAdded':
      return said(
        resource('ResourceCreated'),
        `${media}/Certificates/${text(d['certificateId'])}`,
        `Certificate ${text(d['certificateId'])} trusted for image servers of ${text(d['device'])}.`,
      );
    case 'VirtualMediaCertificateReplaced':
      return said(
        resource('ResourceChanged'),
        `${media}/Certificates/${text(d['certificateId'])}`,
        `Certificate ${text(d['certificateId'])} of ${text(d['device'])} replaced.`,
      );
    case 'VirtualMediaCertificateRemoved':
      return said(
        resource('ResourceRemoved'),
        `${media}/Certificates/${text(d['certificateId'])}`,
        `Certificate ${text(d['certificateId'])} of ${text(d['device'])} removed.`,
      );
    case 'FirmwareRegistered': {
      const components = Array.isArray(d['components'])
        ? (d['components'] as Data[]).map((c) => `${text(c['id'])} ${text(c['version'])}`).join(', ')
        : '?';
      return said(
        resource(created ? 'ResourceCreated' : 'ResourceChanged'),
        system,
        `Firmware from the lab configuration: ${components}.`,
      );
    }
    case 'FirmwareUpdateRequested':
      return said(
        task('TaskStarted', [text(d['taskId'])]),
        taskUri(text(d['taskId'])),
        `UpdateService.SimpleUpdate of ${text(d['imageUri'])} for ${Array.isArray(d['targets']) ? d['targets'].map(text).join(', ') : '?'}; task ${text(d['taskId'])}: fetched now, applied at the next reset.`,
      );
    case 'FirmwareImageStaged':
      return said(
        resource('ResourceChanged'),
        taskUri(text(d['taskId'])),
        `Firmware image fetched (${size(d['sizeBytes'])}, SHA-256 ${text(d['sha256'])}): version ${text(d['version'])} is staged for the next reset.`,
      );
    case 'FirmwareUpdateFailed':
      return said(
        task('TaskAborted', [text(d['taskId'])]),
        taskUri(text(d['taskId'])),
        `Firmware image ${text(d['imageUri'])} could not be fetched: ${text(d['message'])}`,
      );
    case 'FirmwareUpdateApplied':
      return said(
        task('TaskCompletedOK', [text(d['taskId'])]),
        taskUri(text(d['taskId'])),
        `The system booted with its staged firmware: ${attributes(d['versions'])}.`,
      );
    default:
      return said(resource('ResourceChanged'), system, `${event.type}: ${clip(JSON.stringify(d))}`);
  }
}
