import type { RecordedEvent } from '../eventstore/event.js';
import type { ViewDocument } from '../eventstore/projector.js';
import { baseMessage } from '../registries/base-registry.js';
import { eventMessage, type EventRegistryPrefix, type FilledEventMessage } from '../registries/event-registries.js';
import { streamOwner } from '../domain/stream-ids.js';
import type { SystemEvent } from '../domain/system/system-events.js';
import { driveUri, volumeUri, type StorageEvent } from '../domain/storage/storage-events.js';
import type { StorageState } from '../domain/storage/storage-decider.js';
import { SERVICE_STREAM, type ServiceEvent } from '../domain/service/service-events.js';
import {
  EVENT_SERVICE_STREAM,
  subscriptionUri,
  type EventServiceEvent,
  type EventType,
} from '../domain/event-service/event-service-events.js';
import { ACCOUNT_SERVICE_STREAM, accountUri, type AccountEvent } from '../domain/accounts/account-events.js';
import { MOCKUP_STREAM, resourceTypeOf, type MockupEvent } from '../mockup/mockup-events.js';
import { managerOf } from './manager-and-chassis.js';
import { virtualMediaOf } from './virtual-media.js';
import { taskUri } from './tasks.js';

/**
 * What each event type says in DMTF's registries' words: the one table that the BMC's LogService
 * (a LogEntry per event of a system, history's message of each event, a failure's Condition) and
 * the EventService (the records SSE clients and subscribers receive) both read.
 *
 * For each event type, a row gives its messages in order: registry, MessageId, arguments, the
 * resource it names (OriginOfCondition), and where it goes. The log keeps one message per event
 * of a system or its storage, the most particular (a property a client set, a health that
 * changed, a task that ended), told with the event's own words (`detail`). Subscribers get what
 * changed of each resource (created, changed, removed, powered on or off; a task started or
 * ended), so one event may announce several (a system with its BMC and chassis, a drive with
 * the volumes on it); what changes no resource (a reset asked for or done, a boot) is not
 * announced. Where the two say one thing, one message goes to both.
 *
 * It lives with the projections because it names resources by the @odata.ids the projectors give
 * them (tasks, virtual media, BMCs); the registries below it only hold DMTF's files and fill a
 * message, and the domain knows nothing of registries. Pure: the same event and context give the
 * same messages.
 */

/** Where a message goes: the BMC's log, the EventService's subscribers, or both. */
export type Audience = 'log' | 'subscribers' | 'both';

/** One registry message an event gives, unfilled: what the log, history and event records are made from. */
export interface EventMessage {
  readonly registry: EventRegistryPrefix | 'Base';
  readonly messageId: string;
  readonly args: readonly string[];
  /** The severity when not the registry's own. */
  readonly severity?: string;
  /** The @odata.id of the resource concerned: OriginOfCondition. */
  readonly origin: string;
  /** Its schema name (ComputerSystem, Volume, Task…), for subscriptions' ResourceTypes. */
  readonly resourceType: string;
  /** The deprecated EventType of an event record, still filled in for older clients. */
  readonly eventType: EventType;
  readonly to: Audience;
}

/** A message subscribers receive: of the event registries the EventService serves. */
export type Announcement = EventMessage & { readonly registry: EventRegistryPrefix };

/** What one event says. */
export interface EventMessages {
  readonly messages: readonly EventMessage[];
  /** The log's words for it: what the message's arguments leave out. */
  readonly detail?: () => string;
  /** A resource the event may have removed (the volume of a finished delete): log entries naming it say it is gone. */
  readonly mayRemove?: string;
}

/** What a row may need besides the event. */
export interface MessageContext {
  /** The event's storage as it was just before it (which volumes a drive carries, what a task did): for subscribers. */
  readonly storageBefore?: StorageState;
  /** A view as it stands after the event (a task's name): for the log's words. */
  readonly lookup?: (odataId: string) => ViewDocument | undefined;
}

/** The log's message of an event, filled in, with its origin and words. */
export interface LoggedMessage {
  readonly message: FilledEventMessage;
  readonly origin: string;
  readonly detail: string;
  readonly mayRemove?: string;
}

/** A message with its arguments in its text, and its severity. */
export function filledMessage(message: EventMessage): FilledEventMessage {
  const filled =
    message.registry === 'Base'
      ? baseMessage(message.messageId, message.args)
      : eventMessage(message.registry, message.messageId, message.args);
  return {
    MessageId: filled.MessageId,
    Message: filled.Message,
    MessageArgs: filled.MessageArgs,
    MessageSeverity: message.severity ?? filled.MessageSeverity,
  };
}

/** The BMC log's message of an event of a system or its storage; undefined for the events of other streams. */
export function loggedMessageOf(
  event: RecordedEvent,
  lookup: (odataId: string) => ViewDocument | undefined,
): LoggedMessage | undefined {
  const said = messagesOf(event, { lookup });
  const message = said.messages.find((m) => m.to !== 'subscribers');
  if (!message) return undefined;
  return {
    message: filledMessage(message),
    origin: message.origin,
    detail: said.detail?.() ?? '',
    ...(said.mayRemove !== undefined && { mayRemove: said.mayRemove }),
  };
}

/** What one event announces to subscribers, in order; empty when it is not announced. */
export function announcementsOf(event: RecordedEvent, context: MessageContext = {}): Announcement[] {
  return messagesOf(event, context).messages.filter((m): m is Announcement => m.to !== 'log' && m.registry !== 'Base');
}

/** The row of the event's type, for the stream it is on; a type this build does not know says what its stream's default says. */
export function messagesOf(event: RecordedEvent, context: MessageContext): EventMessages {
  const d = (event.data ?? {}) as Data;
  if (Object.hasOwn(SERVICE_DEFAULTS, event.streamId))
    return rowOf(SERVICE_ROWS, event.type)?.(d) ?? SERVICE_DEFAULTS[event.streamId]!;
  const owner = streamOwner(event.streamId);
  if (!owner) return NOTHING;
  if (owner.storageId === undefined) {
    const at = systemPlace(event, d, owner.systemId);
    return (rowOf(SYSTEM_ROWS, event.type) ?? systemChanged)(at);
  }
  const at = storagePlace(event, d, owner.systemId, owner.storageId, context);
  return (rowOf(STORAGE_ROWS, event.type) ?? storageChanged)(at);
}

type Data = Record<string, unknown>;
const NOTHING: EventMessages = { messages: [] };

/** A row by an event's type, never one of Object's own properties. */
const rowOf = <Row>(rows: Readonly<Record<string, Row>>, type: string): Row | undefined =>
  Object.hasOwn(rows, type) ? rows[type] : undefined;

// The log's words for values: a payload it does not expect still reads.
const MiB = 1024 * 1024;
/** A value as a log line shows it: a string as it is, anything else as JSON. */
export const text = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'nothing'));
const size = (bytes: unknown) =>
  typeof bytes === 'number'
    ? bytes >= 1024 * MiB
      ? `${+(bytes / (1024 * MiB)).toFixed(2)} GiB`
      : `${+(bytes / MiB).toFixed(2)} MiB`
    : '?';
const lastSegment = (id: unknown) => (typeof id === 'string' ? id.split('/').pop()! : text(id));
/** An object's properties as `name=value, …`, or `none`. */
export const attributes = (value: unknown) =>
  Object.entries((value ?? {}) as Data)
    .map(([name, v]) => `${name}=${text(v)}`)
    .join(', ') || 'none';
/** A text cut to `width` characters, for a message argument. */
export const clip = (value: string, width = 160) => (value.length <= width ? value : `${value.slice(0, width - 1)}…`);
const texts = (value: unknown) => (Array.isArray(value) ? value.map(text) : []);

// The messages rows are made of; each goes to subscribers until a row says otherwise.
const message = (
  registry: EventMessage['registry'],
  messageId: string,
  args: readonly string[],
  resourceType: string,
  origin: string,
  eventType: EventType,
): EventMessage => ({ registry, messageId, args, origin, resourceType, eventType, to: 'subscribers' });
const created = (resourceType: string, origin: string) =>
  message('ResourceEvent', 'ResourceCreated', [], resourceType, origin, 'ResourceAdded');
const changed = (resourceType: string, origin: string) =>
  message('ResourceEvent', 'ResourceChanged', [], resourceType, origin, 'ResourceUpdated');
const removed = (resourceType: string, origin: string) =>
  message('ResourceEvent', 'ResourceRemoved', [], resourceType, origin, 'ResourceRemoved');
/** A resource's first event makes it; a later one of the same kind changes it. */
const made = (first: boolean) => (first ? created : changed);
/** A client set a property: the log says which, and to what. */
const setByClient = (resourceType: string, origin: string, property: string, value: string) =>
  message('ResourceEvent', 'PropertyValueModifiedByClient', [property, value], resourceType, origin, 'ResourceUpdated');
const health = (resourceType: string, origin: string, now: 'OK' | 'Critical') =>
  message('ResourceEvent', `ResourceStatusChanged${now}`, [origin, now], resourceType, origin, 'StatusChange');
const errorsIn = (resourceType: string, origin: string, property: string, error: string) =>
  message('ResourceEvent', 'ResourceErrorsDetected', [property, clip(error)], resourceType, origin, 'Alert');
const power = (origin: string, messageId: string) =>
  message('ResourceEvent', messageId, [origin], 'ComputerSystem', origin, 'StatusChange');
const task = (messageId: 'TaskStarted' | 'TaskCompletedOK' | 'TaskAborted' | 'TaskCancelled', taskId: string) =>
  message('TaskEvent', messageId, [taskId], 'Task', taskUri(taskId), 'StatusChange');

const toLog = (m: EventMessage): EventMessage => ({ ...m, to: 'log' });
const toBoth = (m: EventMessage): EventMessage => ({ ...m, to: 'both' });
const said = (detail: () => string, ...messages: EventMessage[]): EventMessages => ({ messages, detail });

/** An event of a system's own stream, with the resources its rows name. */
interface SystemPlace {
  readonly event: RecordedEvent;
  readonly d: Data;
  readonly systemId: string;
  readonly system: string;
  readonly manager: string;
  /** The virtual media device the event names. */
  readonly media: string;
  readonly bios: string;
  readonly secureBoot: string;
  /** The stream's first event: the system made. */
  readonly first: boolean;
}

function systemPlace(event: RecordedEvent, d: Data, systemId: string): SystemPlace {
  const system = event.streamId;
  return {
    event,
    d,
    systemId,
    system,
    manager: managerOf(systemId),
    media: `${virtualMediaOf(systemId)}/${text(d['device'])}`,
    bios: `${system}/Bios`,
    secureBoot: `${system}/SecureBoot`,
    first: event.streamVersion === 1,
  };
}

/** The system changed, in ways the log tells in words of its own: how a newer event type is told. */
const systemChanged = (at: SystemPlace): EventMessages =>
  said(() => `${at.event.type}: ${clip(JSON.stringify(at.d))}`, toBoth(changed('ComputerSystem', at.system)));
/** A client set a property of the system: the log says which, subscribers that the system changed. */
const systemSetByClient = (at: SystemPlace, property: string, value: string, detail: () => string) =>
  said(detail, toLog(setByClient('ComputerSystem', at.system, property, value)), changed('ComputerSystem', at.system));
/** The system's health changed: the log says to what, subscribers that the system changed. */
const systemHealth = (at: SystemPlace, now: 'OK' | 'Critical', detail: () => string) =>
  said(detail, toLog(health('ComputerSystem', at.system, now)), changed('ComputerSystem', at.system));
const mediaChanged = (at: SystemPlace) => changed('VirtualMedia', at.media);
const mediaSetByClient = (at: SystemPlace, property: string, value: string, detail: () => string) =>
  said(detail, toLog(setByClient('VirtualMedia', at.media, property, value)), mediaChanged(at));
const certificate = (at: SystemPlace) => `${at.media}/Certificates/${text(at.d['certificateId'])}`;
/** Only in the log: what changes no resource (a reset asked for or done, a boot). */
const logged = (m: EventMessage, detail: () => string) => said(detail, toLog(m));

const SYSTEM_ROWS: Record<SystemEvent['type'], (at: SystemPlace) => EventMessages> = {
  // Its first event makes the system, its BMC and its chassis; a later one (the config changed) renames them.
  SystemRegistered: (at) =>
    said(
      () =>
        `System ${text(at.d['name'])} ${at.first ? 'registered' : 'changed'} from the lab configuration: libvirt domain ${text(at.d['domainName'])} at ${text(at.d['libvirtUri'])}.`,
      toBoth(made(at.first)('ComputerSystem', at.system)),
      made(at.first)('Manager', at.manager),
      made(at.first)('Chassis', `/redfish/v1/Chassis/${at.systemId}`),
    ),
  DomainObserved: (at) =>
    said(
      () => {
        const macs = texts(at.d['macAddresses']).join(', ');
        return `libvirt reports the domain with ${text(at.d['vcpus'])} vCPUs, ${size(at.d['memoryBytes'])} of memory, ${text(at.d['firmware'])} firmware${macs ? `, NICs ${macs}` : ''}, UUID ${text(at.d['uuid'])}.`;
      },
      toBoth(changed('ComputerSystem', at.system)),
    ),
  PowerStateObserved: (at) => {
    const state = text(at.d['powerState']);
    const detail = () =>
      `libvirt reports the domain ${state === 'On' ? 'running' : state === 'Off' ? 'shut off' : state.toLowerCase()}.`;
    const system = changed('ComputerSystem', at.system);
    if (state === 'On') return said(detail, system, toBoth(power(at.system, 'ResourcePoweredOn')));
    if (state === 'Off') return said(detail, system, toBoth(power(at.system, 'ResourcePoweredOff')));
    // A paused machine is shown as On: subscribers hear nothing of its power, the log says it paused.
    if (state === 'Paused') return said(detail, system, toLog(power(at.system, 'ResourcePaused')));
    return said(detail, toBoth(system));
  },
  DomainMissingObserved: (at) =>
    systemHealth(at, 'Critical', () => `libvirt has no domain ${text(at.d['domainName'])}: the system is Absent.`),
  DomainClaimed: (at) =>
    said(
      () =>
        at.d['previousOwner'] === undefined
          ? `This store (${text(at.d['store'])}) claimed the domain ${text(at.d['domainName'])}, which no store owned.`
          : `This store (${text(at.d['store'])}) took the domain ${text(at.d['domainName'])} over from store ${text(at.d['previousOwner'])}.`,
      toBoth(changed('ComputerSystem', at.system)),
    ),
  DomainOwnedElsewhere: (at) =>
    systemHealth(
      at,
      'Critical',
      () =>
        `The domain ${text(at.d['domainName'])} is owned by another store (${text(at.d['owner'])}): this emulator leaves it alone.`,
    ),
  HostUnreachableObserved: (at) =>
    systemHealth(
      at,
      'Critical',
      () =>
        `libvirt at ${text(at.d['libvirtUri'])} does not answer (${text(at.d['reason'])}): the system is UnavailableOffline until it does.`,
    ),
  HostReachableObserved: (at) => systemHealth(at, 'OK', () => `libvirt at ${text(at.d['libvirtUri'])} answers again.`),
  ResetRequested: (at) => {
    const type = text(at.d['resetType']);
    const id = ['On', 'ForceOn'].includes(type)
      ? 'ResourcePoweringOn'
      : ['ForceOff', 'GracefulShutdown'].includes(type)
        ? 'ResourcePoweringOff'
        : undefined;
    return logged(
      id ? power(at.system, id) : changed('ComputerSystem', at.system),
      () => `ComputerSystem.Reset with ResetType ${type} requested.`,
    );
  },
  ResetApplied: (at) =>
    logged(
      changed('ComputerSystem', at.system),
      () =>
        `Reset ${text(at.d['resetType'])} (requested by event ${text(at.d['requestedAt'])}) carried out on the domain.`,
    ),
  ResetFailed: (at) =>
    logged(
      errorsIn('ComputerSystem', at.system, 'PowerState', text(at.d['message'])),
      () =>
        `Reset ${text(at.d['resetType'])} (requested by event ${text(at.d['requestedAt'])}) failed: ${text(at.d['message'])}`,
    ),
  SystemBooted: (at) =>
    logged(changed('ComputerSystem', at.system), () => 'The system booted: what waited for a reset takes effect.'),
  BootOverrideChanged: (at) =>
    systemSetByClient(
      at,
      'Boot/BootSourceOverrideTarget',
      text(at.d['target']),
      () => `Boot source override: ${text(at.d['target'])}, ${text(at.d['enabled'])}.`,
    ),
  // The service spent the override, not a client: Base's PropertyValueModified, OK as a change made on purpose.
  BootOverrideConsumed: (at) =>
    said(
      () => `The system booted from ${text(at.d['target'])} once; the override is spent.`,
      toLog({
        ...message(
          'Base',
          'PropertyValueModified',
          ['Boot/BootSourceOverrideEnabled', 'Disabled'],
          'ComputerSystem',
          at.system,
          'ResourceUpdated',
        ),
        severity: 'OK',
      }),
      changed('ComputerSystem', at.system),
    ),
  BootModeChanged: (at) =>
    systemSetByClient(
      at,
      'Boot/BootSourceOverrideMode',
      text(at.d['mode']),
      () => `Boot mode ${text(at.d['mode'])} from the next boot.`,
    ),
  SecureBootChanged: (at) =>
    said(
      () => `Secure Boot ${at.d['enabled'] ? 'on' : 'off'} from the next boot.`,
      toLog(setByClient('SecureBoot', at.secureBoot, 'SecureBootEnable', text(at.d['enabled']))),
      changed('ComputerSystem', at.system),
    ),
  SecureBootApplied: (at) =>
    said(
      () => `The system booted with Secure Boot ${at.d['enabled'] ? 'on' : 'off'}.`,
      toLog(changed('SecureBoot', at.secureBoot)),
      changed('ComputerSystem', at.system),
    ),
  AssetTagChanged: (at) =>
    systemSetByClient(at, 'AssetTag', text(at.d['assetTag']), () => `AssetTag set to '${text(at.d['assetTag'])}'.`),
  IndicatorChanged: (at) =>
    systemSetByClient(at, 'IndicatorLED', text(at.d['led']), () => `Locator light ${text(at.d['led'])}.`),
  BiosSettingsRequested: (at) =>
    said(
      () => `BIOS settings for the next boot: ${attributes(at.d['attributes'])}.`,
      toLog(setByClient('Bios', `${at.bios}/Settings`, 'Attributes', clip(attributes(at.d['attributes'])))),
      changed('Bios', `${at.bios}/Settings`),
    ),
  BiosSettingsApplied: (at) =>
    said(
      () => `The system booted with its pending BIOS settings: ${attributes(at.d['attributes'])}.`,
      toBoth(changed('Bios', at.bios)),
      changed('Bios', `${at.bios}/Settings`),
    ),
  BiosReset: (at) =>
    said(
      () => 'Bios.ResetBios: every attribute back to its default.',
      toBoth(changed('Bios', at.bios)),
      changed('Bios', `${at.bios}/Settings`),
    ),
  VirtualMediaInsertRequested: (at) =>
    mediaSetByClient(
      at,
      'Image',
      text(at.d['image']),
      () => `VirtualMedia.InsertMedia of ${text(at.d['image'])} into ${text(at.d['device'])}.`,
    ),
  // Its visible effect, the image in the device, came with the request; the log says it was fetched.
  VirtualMediaInserted: (at) =>
    logged(mediaChanged(at), () => `Image ${text(at.d['image'])} fetched and in ${text(at.d['device'])}.`),
  VirtualMediaDownloadProgressed: (at) =>
    said(
      () => {
        const total = typeof at.d['totalBytes'] === 'number' ? at.d['totalBytes'] : undefined;
        const done = `${size(at.d['bytes'])}${total ? ` of ${size(total)} (${Math.floor((100 * Number(at.d['bytes'])) / total)}%)` : ''}`;
        return `Fetching ${text(at.d['image'])} for ${text(at.d['device'])}: ${done} so far.`;
      },
      toBoth(mediaChanged(at)),
    ),
  VirtualMediaInsertFailed: (at) =>
    said(
      () => `Image ${text(at.d['image'])} could not be put in ${text(at.d['device'])}: ${text(at.d['message'])}`,
      toLog(errorsIn('VirtualMedia', at.media, 'Image', text(at.d['message']))),
      mediaChanged(at),
    ),
  // The device empties when the reconciler has ejected it (VirtualMediaEjected).
  VirtualMediaEjectRequested: (at) =>
    logged(
      setByClient('VirtualMedia', at.media, 'Inserted', 'false'),
      () => `VirtualMedia.EjectMedia of ${text(at.d['device'])}.`,
    ),
  VirtualMediaEjected: (at) => said(() => `${text(at.d['device'])} is empty.`, toBoth(mediaChanged(at))),
  VirtualMediaVerificationChanged: (at) =>
    mediaSetByClient(
      at,
      'VerifyCertificate',
      text(at.d['verify']),
      () =>
        `${text(at.d['device'])} ${at.d['verify'] ? 'verifies' : 'does not verify'} the certificates of image servers.`,
    ),
  VirtualMediaCertificateAdded: (at) =>
    said(
      () => `Certificate ${text(at.d['certificateId'])} trusted for image servers of ${text(at.d['device'])}.`,
      toBoth(created('Certificate', certificate(at))),
    ),
  VirtualMediaCertificateReplaced: (at) =>
    said(
      () => `Certificate ${text(at.d['certificateId'])} of ${text(at.d['device'])} replaced.`,
      toBoth(changed('Certificate', certificate(at))),
    ),
  VirtualMediaCertificateRemoved: (at) =>
    said(
      () => `Certificate ${text(at.d['certificateId'])} of ${text(at.d['device'])} removed.`,
      toBoth(removed('Certificate', certificate(at))),
    ),
  FirmwareRegistered: (at) => {
    const detail = () => {
      const components = Array.isArray(at.d['components'])
        ? (at.d['components'] as Data[]).map((c) => `${text(c['id'])} ${text(c['version'])}`).join(', ')
        : '?';
      return `Firmware from the lab configuration: ${components}.`;
    };
    // Subscribers hear that the system changed; the log, on a stream's first event, that it was made.
    return at.first
      ? said(detail, toLog(created('ComputerSystem', at.system)), changed('ComputerSystem', at.system))
      : said(detail, toBoth(changed('ComputerSystem', at.system)));
  },
  FirmwareUpdateRequested: (at) =>
    said(
      () =>
        `UpdateService.SimpleUpdate of ${text(at.d['imageUri'])} for ${Array.isArray(at.d['targets']) ? texts(at.d['targets']).join(', ') : '?'}; task ${text(at.d['taskId'])}: fetched now, applied at the next reset.`,
      created('Task', taskUri(text(at.d['taskId']))),
      toBoth(task('TaskStarted', text(at.d['taskId']))),
    ),
  FirmwareImageStaged: (at) =>
    said(
      () =>
        `Firmware image fetched (${size(at.d['sizeBytes'])}, SHA-256 ${text(at.d['sha256'])}): version ${text(at.d['version'])} is staged for the next reset.`,
      toBoth(changed('Task', taskUri(text(at.d['taskId'])))),
    ),
  FirmwareUpdateFailed: (at) =>
    said(
      () => `Firmware image ${text(at.d['imageUri'])} could not be fetched: ${text(at.d['message'])}`,
      toBoth(task('TaskAborted', text(at.d['taskId']))),
    ),
  FirmwareUpdateApplied: (at) =>
    said(
      () => `The system booted with its staged firmware: ${attributes(at.d['versions'])}.`,
      changed('ComputerSystem', at.system),
      toBoth(task('TaskCompletedOK', text(at.d['taskId']))),
    ),
};

/** An event of a storage's stream, with the resources its rows name. */
interface StoragePlace {
  readonly event: RecordedEvent;
  readonly d: Data;
  readonly storage: string;
  /** The volume the event names. */
  readonly volume: string;
  /** The drive the event names, by its @odata.id. */
  readonly drive: string;
  /** The task the event names. */
  readonly taskId: string;
  /** The storage just before the event, when the reader knows it. */
  readonly before: StorageState | undefined;
  /** A task's name as its view has it, for the log's words. */
  readonly taskName: (taskId: string) => string;
  /** When the work asked for is carried out, in the log's words. */
  readonly when: string;
}

function storagePlace(
  event: RecordedEvent,
  d: Data,
  systemId: string,
  storageId: string,
  context: MessageContext,
): StoragePlace {
  const drive = text(d['driveId']);
  return {
    event,
    d,
    storage: event.streamId,
    volume: volumeUri(systemId, storageId, text(d['volumeId'])),
    // Drive events name the drive by its @odata.id.
    drive: drive.startsWith('/') ? drive : driveUri(systemId, storageId, drive),
    taskId: text(d['taskId']),
    before: context.storageBefore,
    taskName: (id) => (context.lookup?.(taskUri(id))?.['Name'] as string | undefined) ?? `Task ${id}`,
    when: d['applyTime'] === 'OnReset' ? 'at the next reset' : 'now',
  };
}

/** The storage changed, in ways the log tells in words of its own: how a newer event type is told. */
const storageChanged = (at: StoragePlace): EventMessages =>
  said(() => `${at.event.type}: ${clip(JSON.stringify(at.d))}`, toBoth(changed('Storage', at.storage)));
const volumeChanged = (at: StoragePlace) => changed('Volume', at.volume);
/** The work a task does, as the storage had it before the event. */
const operation = (at: StoragePlace) => at.before?.operations.find((op) => op.taskId === at.taskId);
/** A volume asked for, changed or deleted: its task made, and started now unless it waits for a reset. */
const requested = (at: StoragePlace, volume: EventMessage, detail: () => string) =>
  said(
    detail,
    toBoth(volume),
    created('Task', taskUri(at.taskId)),
    // OnReset work waits (Pending) and starts at the next boot (PendingOperationsStarted).
    ...(at.d['applyTime'] === 'Immediate' ? [task('TaskStarted', at.taskId)] : []),
  );
/** A task ended: what it did to its volume for subscribers, the task's end for both. */
const ended = (at: StoragePlace, effect: EventMessage[], end: EventMessage, detail: () => string): EventMessages => ({
  ...said(detail, ...effect, toBoth(end)),
  mayRemove: at.volume,
});
/** A drive fault or replacement changes the volumes made on it too. */
const volumesOnDrive = (at: StoragePlace) =>
  Object.values(at.before?.volumes ?? {})
    .filter((v) => v.created && v.members.includes(at.drive))
    .map((v) => changed('Volume', `${at.storage}/Volumes/${v.volumeId}`));
const driveHealth = (at: StoragePlace, now: 'OK' | 'Critical', detail: () => string) =>
  said(detail, toLog(health('Drive', at.drive, now)), changed('Drive', at.drive), ...volumesOnDrive(at));
const volumeHealth = (at: StoragePlace, now: 'OK' | 'Critical', detail: () => string) =>
  said(detail, toLog(health('Volume', at.volume, now)), volumeChanged(at));

const STORAGE_ROWS: Record<StorageEvent['type'], (at: StoragePlace) => EventMessages> = {
  StorageRegistered: (at) => {
    const first = at.event.streamVersion === 1;
    return said(
      () => {
        const controller = (at.d['controller'] ?? {}) as Data;
        const drives = Array.isArray(at.d['drives']) ? at.d['drives'].length : 0;
        return `Storage ${text(at.d['name'])} ${first ? 'registered' : 'changed'} from the lab configuration: ${text(controller['model'])} with ${drives} drives.`;
      },
      toBoth(made(first)('Storage', at.storage)),
    );
  },
  VolumeCreateRequested: (at) =>
    requested(at, created('Volume', at.volume), () => {
      const id = text(at.d['volumeId']);
      const members = Array.isArray(at.d['members']) ? at.d['members'].map(lastSegment).join(', ') : '?';
      const name = at.d['name'] === `Volume ${id}` ? '' : ` (${text(at.d['name'])})`;
      return `Volume ${id}${name} requested: ${text(at.d['raidType'])}, ${size(at.d['capacityBytes'])} on drives ${members}; task ${at.taskId}, carried out ${at.when}.`;
    }),
  VolumeDeleteRequested: (at) =>
    requested(
      at,
      volumeChanged(at),
      () => `Deletion of volume ${text(at.d['volumeId'])} requested; task ${at.taskId}, carried out ${at.when}.`,
    ),
  VolumeInitializeRequested: (at) =>
    requested(
      at,
      volumeChanged(at),
      () =>
        `${text(at.d['initializeType'])} initialization of volume ${text(at.d['volumeId'])} requested; task ${at.taskId}, carried out ${at.when}.`,
    ),
  // The system was reset: the tasks that waited for it start, and their volumes change.
  PendingOperationsStarted: (at) => {
    const ids = texts(at.d['taskIds']);
    const volumes = new Set(
      ids
        .map((id) => at.before?.operations.find((op) => op.taskId === id)?.volumeId)
        .filter((id): id is string => id !== undefined),
    );
    const changes = [...volumes].map((id) => changed('Volume', `${at.storage}/Volumes/${id}`));
    // The log tells one task's start as that task's; several as a change of the storage.
    const only = ids.length === 1 ? ids[0]! : undefined;
    return only !== undefined
      ? said(
          () => `${at.taskName(only)}: the system was reset, the work starts.`,
          ...changes,
          toBoth(task('TaskStarted', only)),
        )
      : said(
          () => `The system was reset: tasks ${ids.join(', ')} start.`,
          ...changes,
          ...ids.map((id) => task('TaskStarted', id)),
          toLog(changed('Storage', at.storage)),
        );
  },
  VolumeOperationCompleted: (at) => {
    const gone = operation(at)?.kind === 'delete';
    return ended(
      at,
      [(gone ? removed : changed)('Volume', at.volume)],
      task('TaskCompletedOK', at.taskId),
      () => `${at.taskName(at.taskId)}: done in libvirt.`,
    );
  },
  VolumeOperationFailed: (at) => {
    // A volume whose create failed never was; work on one that is gone leaves nothing to change.
    const kind = operation(at)?.kind;
    const exists = at.before ? at.before.volumes[text(at.d['volumeId'])] !== undefined : true;
    const effect = !exists ? [] : kind === 'create' ? [removed('Volume', at.volume)] : [volumeChanged(at)];
    return ended(
      at,
      effect,
      task('TaskAborted', at.taskId),
      () => `${at.taskName(at.taskId)} failed: ${text(at.d['message'])}`,
    );
  },
  VolumeOperationCancelled: (at) =>
    // A volume waiting to be made that never will be is gone; other cancelled work changes nothing.
    ended(
      at,
      operation(at)?.kind === 'create' ? [removed('Volume', at.volume)] : [],
      task('TaskCancelled', at.taskId),
      () => `${at.taskName(at.taskId)} cancelled before the reset it waited for.`,
    ),
  VolumeRenamed: (at) =>
    said(
      () => `Volume ${text(at.d['volumeId'])} renamed.`,
      toLog(setByClient('Volume', at.volume, 'DisplayName', text(at.d['name']))),
      volumeChanged(at),
    ),
  DriveLocatorChanged: (at) =>
    said(
      () => `Drive ${lastSegment(at.d['driveId'])} locator ${at.d['active'] === true ? 'lit' : 'off'}.`,
      toLog(setByClient('Drive', at.drive, 'LocationIndicatorActive', text(at.d['active']))),
      changed('Drive', at.drive),
    ),
  DriveFailed: (at) => driveHealth(at, 'Critical', () => `Drive ${lastSegment(at.d['driveId'])} failed.`),
  DriveReplaced: (at) =>
    driveHealth(
      at,
      'OK',
      () => `A new drive, serial ${text(at.d['serialNumber'])}, took bay ${lastSegment(at.d['driveId'])}.`,
    ),
  VolumeRebuildProgressed: (at) =>
    said(
      () => `Rebuild of volume ${text(at.d['volumeId'])}: ${text(at.d['percent'])}% done.`,
      toBoth(volumeChanged(at)),
    ),
  VolumeBackingLost: (at) =>
    volumeHealth(
      at,
      'Critical',
      () => `Volume ${text(at.d['volumeId'])} lost its backing volume in libvirt: ${text(at.d['reason'])}.`,
    ),
  VolumeBackingRestored: (at) =>
    volumeHealth(at, 'OK', () => `Volume ${text(at.d['volumeId'])} has its backing volume in libvirt again.`),
};

// The services' own streams: announced, never in a system's log.
const announced = (...messages: EventMessage[]): EventMessages => ({ messages });
const subscription = (d: Data) => subscriptionUri(text(d['subscriptionId']));
const account = (d: Data) => accountUri(text(d['userName']));
const eventServiceChanged = () => announced(changed('EventService', EVENT_SERVICE_STREAM));
/** The SessionService, whose settings the account stream keeps. */
const SESSION_SERVICE = '/redfish/v1/SessionService';
const accountServiceChanged = () => announced(changed('AccountService', ACCOUNT_SERVICE_STREAM));

/** What a type this build does not know says, on each of the services' streams. */
const SERVICE_DEFAULTS: Readonly<Record<string, EventMessages>> = {
  [SERVICE_STREAM]: NOTHING,
  [EVENT_SERVICE_STREAM]: eventServiceChanged(),
  [ACCOUNT_SERVICE_STREAM]: accountServiceChanged(),
  [MOCKUP_STREAM]: NOTHING,
};

type ServiceEventType = ServiceEvent['type'] | EventServiceEvent['type'] | AccountEvent['type'] | MockupEvent['type'];
const SERVICE_ROWS: Record<ServiceEventType, (d: Data) => EventMessages> = {
  ServiceCreated: () => announced(created('ServiceRoot', SERVICE_STREAM)),
  // Subscriptions made, removed (by a client or after failed deliveries), suspended and resumed.
  SubscriptionCreated: (d) => announced(created('EventDestination', subscription(d))),
  SubscriptionDeleted: (d) => announced(removed('EventDestination', subscription(d))),
  SubscriptionTerminated: (d) => announced(removed('EventDestination', subscription(d))),
  SubscriptionSuspended: (d) => announced(changed('EventDestination', subscription(d))),
  SubscriptionResumed: (d) => announced(changed('EventDestination', subscription(d))),
  SubscriptionContextChanged: (d) => announced(changed('EventDestination', subscription(d))),
  EventServiceSettingsChanged: eventServiceChanged,
  // Accounts made, changed (a password set or an unlock too, never what it was) and removed; the service's settings.
  AccountServiceConfigured: accountServiceChanged,
  AccountCreated: (d) => announced(created('ManagerAccount', account(d))),
  AccountChanged: (d) => announced(changed('ManagerAccount', account(d))),
  AccountPasswordChanged: (d) => announced(changed('ManagerAccount', account(d))),
  AccountUnlocked: (d) => announced(changed('ManagerAccount', account(d))),
  AccountDeleted: (d) => announced(removed('ManagerAccount', account(d))),
  AccountLockoutChanged: accountServiceChanged,
  SessionTimeoutChanged: () => announced(changed('SessionService', SESSION_SERVICE)),
  // A mockup lab's changes: a resource written, created or deleted. The tree as imported is the
  // lab's starting state, not a change, and an action is announced by the changes it makes.
  MockupResourceImported: () => NOTHING,
  MockupResourcePatched: (d) => announced(changed(text(d['resourceType']), text(d['odataId']))),
  MockupResourceCreated: (d) =>
    announced(created(resourceTypeOf(d['document'] as Data | undefined), text(d['odataId']))),
  MockupResourceDeleted: (d) => announced(removed(text(d['resourceType']), text(d['odataId']))),
  MockupActionPerformed: () => NOTHING,
};
