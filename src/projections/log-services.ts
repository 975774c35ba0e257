import type { RecordedEvent } from '../eventstore/event.js';
import { describeEvent, systemOfStream } from './event-descriptions.js';
import { managerOf } from './manager-and-chassis.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument, ViewWriter } from './projector.js';

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
 * The most entries each log keeps: past it the oldest gives way (OverWritePolicy WrapsWhenFull),
 * as a BMC's log does. The events stay in the log; /emulator/v1/History and the history command
 * list them all.
 */
export const MAX_LOG_ENTRIES = 500;

type Link = { '@odata.id': string };

/** The entries of a log, by position, oldest first. */
export const indexedPositions = (index: ViewDocument | undefined): number[] => [...((index?.['positions'] as number[] | undefined) ?? [])];

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
    const owner = systemOfStream(event.streamId);
    if (!owner) return;
    const { systemId } = owner;
    if (event.type === 'SystemRegistered') ensureLog(views, event.position, systemId);
    const index = views.get(historyIndexOf(systemId));
    if (!index) return;
    const description = describeEvent(event, (id) => views.get(id));
    if (!description) return;
    const { message, origin, detail, mayRemove } = description;
    const actor = event.meta.actor;
    const id = `${historyEntriesOf(systemId)}/${event.position}`;
    const by = actor === undefined ? '' : ` By ${actor}${event.meta.requestId === undefined ? '' : `, request ${event.meta.requestId}`}.`;
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
        ...(views.serialized(origin) === undefined && { OriginOfConditionUnavailable: true }),
      },
      event.position,
    );
    const positions = [...indexedPositions(index), event.position];
    while (positions.length > MAX_LOG_ENTRIES) views.delete(`${historyEntriesOf(systemId)}/${positions.shift()}`);
    views.put({ '@odata.id': historyIndexOf(systemId), positions }, event.position);
    if (mayRemove !== undefined && views.serialized(mayRemove) === undefined) markGone(views, event.position, systemId, positions, mayRemove);
  },
};

/**
 * The resource is gone (a volume deleted): the entries that name it say so, as the LogEntry
 * schema asks, so no client follows the link to a 404. Rare (a delete's end), so the entries
 * are looked through rather than indexed.
 */
function markGone(views: ViewWriter, position: number, systemId: string, positions: readonly number[], origin: string): void {
  for (const entryPosition of positions) {
    const entry = views.get(`${historyEntriesOf(systemId)}/${entryPosition}`);
    if (!entry || entry['OriginOfConditionUnavailable'] === true) continue;
    if ((entry['Links'] as { OriginOfCondition?: Link } | undefined)?.OriginOfCondition?.['@odata.id'] !== origin) continue;
    views.put({ ...entry, OriginOfConditionUnavailable: true }, position);
  }
}

/** The BMC's LogServices, its History log and the empty entries collection, linked from the Manager. */
function ensureLog(views: ViewWriter, position: number, systemId: string): void {
  const manager = views.get(managerOf(systemId));
  if (!manager) return;
  const services = logServicesOf(systemId);
  // The Manager document is made again when the system's registration changes: link it again.
  if ((manager['LogServices'] as Link | undefined)?.['@odata.id'] !== services) views.put({ ...manager, LogServices: { '@odata.id': services } }, position);
  if (views.get(services)) return;
  const log = historyLogOf(systemId);
  views.put({ '@odata.id': services, '@odata.type': ODATA_TYPE.LogServiceCollection, Name: 'Log Service Collection', Members: [{ '@odata.id': log }], 'Members@odata.count': 1 }, position);
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
      Entries: { '@odata.id': historyEntriesOf(systemId) },
    },
    position,
  );
  views.put({ '@odata.id': historyIndexOf(systemId), positions: [] }, position);
}

/**
 * The Entries collection of a log as its route serves it, from the entries' stored bodies. Its
 * Members are the LogEntry documents themselves: LogEntryCollection expands them (OData.AutoExpand).
 */
export function historyEntriesCollection(systemId: string, entryBodies: readonly string[]): string {
  const head = JSON.stringify({ '@odata.id': historyEntriesOf(systemId), '@odata.type': ODATA_TYPE.LogEntryCollection, Name: 'History Entries' });
  return `${head.slice(0, -1)},"Members":[${entryBodies.join(',')}],"Members@odata.count":${entryBodies.length}}`;
}
