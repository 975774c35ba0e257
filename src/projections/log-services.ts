import type { RecordedEvent } from '../eventstore/event.js';
import { loggedMessageOf, type LoggedMessage } from './event-messages.js';
import { managerOf } from './manager-and-chassis.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument, ViewWriter } from '../eventstore/projector.js';
import { streamOwner } from '../domain/stream-ids.js';

/** The one log each BMC keeps: the history of its server, as the emulator recorded it. */
export const HISTORY_LOG_ID = 'History';
export const logServicesOf = (systemId: string) => `${managerOf(systemId)}/LogServices`;
export const historyLogOf = (systemId: string) => `${logServicesOf(systemId)}/${HISTORY_LOG_ID}`;
export const historyEntriesOf = (systemId: string) => `${historyLogOf(systemId)}/Entries`;
/**
 * The positions of the entries a log holds, oldest first: a view under a key no request can
 * name, from which the Entries collection is served (see log-entries-route.ts).
 */
export const historyIndexOf = (systemId: string) => `#index${historyEntriesOf(systemId)}`;
/**
 * The positions of a log's entries that name a volume, by the volume's @odata.id (another hidden
 * view): what to mark when the volume is deleted, found without reading through the log.
 */
export const volumeEntriesOf = (systemId: string) => `#volume-entries${historyEntriesOf(systemId)}`;
/** The only resources an event description says it may remove (mayRemove) are volumes. */
const isVolume = (odataId: string) => /\/Storage\/[^/]+\/Volumes\/[^/]+$/.test(odataId);

/**
 * The most entries each log keeps: past it the oldest gives way (OverWritePolicy WrapsWhenFull),
 * as a BMC's log does. The events stay in the log; /emulator/v1/History and the history command
 * list them all.
 */
export const MAX_LOG_ENTRIES = 500;

type Link = { '@odata.id': string };

/** The entries of a log, by position, oldest first. */
export const indexedPositions = (index: ViewDocument | undefined): number[] => [
  ...((index?.['positions'] as number[] | undefined) ?? []),
];

/**
 * Each system's BMC keeps a LogService, `History`, whose entries are the events of the system
 * and of everything of it (its storage, volumes, drives, BIOS, virtual media, tasks): one
 * LogEntry per event, newest MAX_LOG_ENTRIES, oldest first. Requests and their outcomes are
 * there, and so are observations (power changes seen through libvirt, the domain found or
 * missing): they are what a real BMC's event log holds, and they explain the changes around them.
 * Each entry's MessageId is a ResourceEvent or TaskEvent (or Base) message the service serves,
 * its Message that text and what the message's arguments leave out, with who did it (also in
 * Originator) and in which request.
 *
 * Entries are views, made once per event. The Entries collection is not: its members are
 * expanded (the whole entries, as LogEntryCollection requires), and rewriting even a list of
 * 500 links on every event of the system made each append several times dearer; the log keeps
 * the bare list of positions (a few KB) and a route makes the collection from it and the entries.
 */
export const logServicesProjector: Projector = {
  name: 'log-services',
  apply(event: RecordedEvent, views) {
    const owner = streamOwner(event.streamId);
    if (!owner) return;
    const { systemId } = owner;
    if (event.type === 'SystemRegistered') ensureHistoryLog(views, event.position, systemId);
    appendHistoryEntry(views, event, systemId, () => loggedMessageOf(event, (id) => views.get(id)));
  },
};

/**
 * Adds the entry `describe` tells of `event` to the History log of the Manager `managerId`, if
 * it has one, letting the oldest give way past MAX_LOG_ENTRIES; entries that name a volume are
 * noted, and those naming what the event removed are marked gone. `describe` is asked only when
 * there is a log to write in.
 */
export function appendHistoryEntry(
  views: ViewWriter,
  event: RecordedEvent,
  managerId: string,
  describe: () => LoggedMessage | undefined,
): void {
  const index = views.get(historyIndexOf(managerId));
  if (!index) return;
  const description = describe();
  if (!description) return;
  const { message, origin, detail, mayRemove } = description;
  const actor = event.meta.actor;
  const id = `${historyEntriesOf(managerId)}/${event.position}`;
  const by =
    actor === undefined
      ? ''
      : ` By ${actor}${event.meta.requestId === undefined ? '' : `, request ${event.meta.requestId}`}.`;
  const originGone = !views.exists(origin);
  views.put(
    {
      '@odata.id': id,
      '@odata.type': ODATA_TYPE.LogEntry,
      Id: String(event.position),
      Name: `History entry ${event.position}`,
      EntryType: 'Event',
      Created: event.recordedAt,
      Severity: message.MessageSeverity,
      Message: `${message.Message} ${detail}${by}`,
      MessageId: message.MessageId,
      MessageArgs: [...message.MessageArgs],
      ...(actor !== undefined && {
        Originator: actor,
        OriginatorType: actor.startsWith('user:') || actor === 'cli' ? 'Client' : 'Internal',
        ...(actor.startsWith('user:') && { Username: actor.slice('user:'.length) }),
      }),
      Links: { OriginOfCondition: { '@odata.id': origin } },
      // Named as it was; a resource since removed (a deleted volume, a task given way) is said gone.
      ...(originGone && { OriginOfConditionUnavailable: true }),
    },
    event.position,
  );
  const positions = [...indexedPositions(index), event.position];
  while (positions.length > MAX_LOG_ENTRIES) views.delete(`${historyEntriesOf(managerId)}/${positions.shift()}`);
  views.put({ '@odata.id': historyIndexOf(managerId), positions }, event.position);
  // An entry that says its origin is gone already is never marked again: only the others are noted.
  if (!originGone && isVolume(origin)) noteVolumeEntry(views, event.position, managerId, origin, positions[0]!);
  if (mayRemove !== undefined && !views.exists(mayRemove))
    markGone(views, event.position, managerId, positions[0]!, mayRemove);
}

type VolumeEntries = Record<string, number[]>;
const volumeEntries = (views: ViewWriter, systemId: string): VolumeEntries =>
  (views.get(volumeEntriesOf(systemId))?.['byOrigin'] as VolumeEntries | undefined) ?? {};

/**
 * Notes the entry at `position` under the volume it names, and forgets the entries the log has
 * let go (older than `oldest`), so the note never holds more than the log does.
 */
function noteVolumeEntry(views: ViewWriter, position: number, systemId: string, origin: string, oldest: number): void {
  const byOrigin: VolumeEntries = {};
  for (const [volume, positions] of Object.entries(volumeEntries(views, systemId))) {
    const kept = positions.filter((p) => p >= oldest);
    if (kept.length > 0) byOrigin[volume] = kept;
  }
  byOrigin[origin] = [...(byOrigin[origin] ?? []), position];
  views.put({ '@odata.id': volumeEntriesOf(systemId), byOrigin }, position);
}

/**
 * The resource is gone (a volume deleted): the entries that name it say so, as the LogEntry
 * schema asks, so no client follows the link to a 404. The entries are those noted under it
 * that the log still holds (from `oldest` on), each read from its stored text alone: a replay
 * hands out a document by parsing its siblings with it, and these are a few of a log's 500.
 */
function markGone(views: ViewWriter, position: number, systemId: string, oldest: number, origin: string): void {
  const byOrigin = volumeEntries(views, systemId);
  const noted = byOrigin[origin];
  if (noted === undefined) return;
  for (const entryPosition of noted) {
    if (entryPosition < oldest) continue;
    const text = views.serialized(`${historyEntriesOf(systemId)}/${entryPosition}`);
    if (text === undefined) continue;
    const entry = JSON.parse(text) as ViewDocument;
    if (entry['OriginOfConditionUnavailable'] === true) continue;
    if ((entry['Links'] as { OriginOfCondition?: Link } | undefined)?.OriginOfCondition?.['@odata.id'] !== origin)
      continue;
    views.put({ ...entry, OriginOfConditionUnavailable: true }, position);
  }
  // Every entry that names it says so now: a volume made again under its id starts a new note.
  const rest = { ...byOrigin };
  delete rest[origin];
  views.put({ '@odata.id': volumeEntriesOf(systemId), byOrigin: rest }, position);
}

/**
 * The Manager's LogServices, its History log and the empty entries collection, linked from the
 * Manager: made where the Manager has none, else History joins the collection it has (a
 * mockup's Manager with logs of its own). A Manager that links its logs elsewhere is left as it is.
 */
export function ensureHistoryLog(views: ViewWriter, position: number, managerId: string): void {
  const manager = views.get(managerOf(managerId));
  if (!manager) return;
  const services = logServicesOf(managerId);
  const linked = (manager['LogServices'] as Link | undefined)?.['@odata.id'];
  if (linked !== undefined && linked.replace(/\/+$/, '') !== services) return;
  // The Manager document is made again when the system's registration changes: link it again.
  if (linked === undefined) views.put({ ...manager, LogServices: { '@odata.id': services } }, position);
  const log = historyLogOf(managerId);
  const collection = views.get(services);
  const members = (collection?.['Members'] as Link[] | undefined) ?? [];
  if (members.some((m) => m['@odata.id'] === log)) return;
  views.put(
    {
      '@odata.id': services,
      '@odata.type': ODATA_TYPE.LogServiceCollection,
      Name: 'Log Service Collection',
      ...collection,
      Members: [...members, { '@odata.id': log }],
      'Members@odata.count': members.length + 1,
    },
    position,
  );
  if (views.get(log)) return;
  views.put(
    {
      '@odata.id': log,
      '@odata.type': ODATA_TYPE.LogService,
      Id: HISTORY_LOG_ID,
      Name: 'History',
      Description: 'What changed this server, and what was seen to happen to it: one entry per recorded event.',
      ServiceEnabled: true,
      MaxNumberOfRecords: MAX_LOG_ENTRIES,
      OverWritePolicy: 'WrapsWhenFull',
      LogEntryType: 'Event',
      LogPurposes: ['Operations'],
      Persistency: true,
      Overflow: false,
      Status: { State: 'Enabled', Health: 'OK' },
      Entries: { '@odata.id': historyEntriesOf(managerId) },
    },
    position,
  );
  views.put({ '@odata.id': historyIndexOf(managerId), positions: [] }, position);
}

/**
 * The Entries collection of a log as its route serves it, from the entries' stored bodies. Its
 * Members are the LogEntry documents themselves: LogEntryCollection expands them (OData.AutoExpand).
 */
export function historyEntriesCollection(systemId: string, entryBodies: readonly string[]): string {
  const head = JSON.stringify({
    '@odata.id': historyEntriesOf(systemId),
    '@odata.type': ODATA_TYPE.LogEntryCollection,
    Name: 'History Entries',
  });
  return `${head.slice(0, -1)},"Members":[${entryBodies.join(',')}],"Members@odata.count":${entryBodies.length}}`;
}
