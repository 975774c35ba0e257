import type { RecordedEvent } from '../eventstore/event.js';
import type { SqliteDatabase } from '../eventstore/database.js';
import type { EventReading } from '../eventstore/upcasters.js';
import { catchUpResourceIndex } from '../eventstore/resource-index.js';
import { virtualMediaOf } from './virtual-media.js';
import { taskUri } from './tasks.js';
import { streamOwner } from '../domain/stream-ids.js';
import type { RequestRefusalsDropped } from '../domain/refusals/refusal-events.js';

/** Bump when resourcesOfEvent names other resources: the index is then made again from the whole log. */
export const RESOURCE_INDEX_VERSION = 2;

type Data = Record<string, unknown>;
const strings = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? [value]
      : [];

/**
 * Every resource an event of a system's streams is about, as its payload names them: a storage
 * event's volume, drives (by id or @odata.id) and tasks; a system event's virtual media drive
 * (and the certificate it trusts), BIOS or Secure Boot; the paths a count of dropped refusals
 * covers. History by resource finds the event under each (the stream and subject
 * are found without this).
 */
export function resourcesOfEvent(event: RecordedEvent): string[] {
  // A count of refusals left out is found under each path it counts (a refusal's own path is its subject).
  if (event.type === 'RequestRefusalsDropped')
    return (event.data as RequestRefusalsDropped['data']).buckets.map((bucket) => bucket.path);
  const owner = streamOwner(event.streamId);
  if (!owner) return [];
  const d = (event.data ?? {}) as Data;
  if (owner.storageId !== undefined) {
    const drive = (id: string) => (id.startsWith('/') ? id : `${event.streamId}/Drives/${id}`);
    const drives =
      event.type === 'StorageRegistered' && Array.isArray(d['drives'])
        ? d['drives'].map((spec) => String((spec as Data)['id']))
        : [];
    return [
      ...strings(d['volumeId']).map((id) => `${event.streamId}/Volumes/${id}`),
      ...[...strings(d['driveId']), ...strings(d['members']), ...drives].map(drive),
      ...[...strings(d['taskId']), ...strings(d['taskIds'])].map(taskUri),
    ];
  }
  const system = `/redfish/v1/Systems/${owner.systemId}`;
  if (event.type.startsWith('VirtualMedia')) {
    return strings(d['device']).flatMap((device) => {
      const drive = `${virtualMediaOf(owner.systemId)}/${device}`;
      return [drive, ...strings(d['certificateId']).map((id) => `${drive}/Certificates/${id}`)];
    });
  }
  if (event.type.startsWith('Bios')) return [`${system}/Bios`];
  if (event.type.startsWith('SecureBoot')) return [`${system}/SecureBoot`];
  return [];
}

/** Indexes the events history by resource has not seen yet (see catchUpResourceIndex). */
export function indexEventResources(db: SqliteDatabase, reading: EventReading): Promise<void> {
  return catchUpResourceIndex(db, resourcesOfEvent, RESOURCE_INDEX_VERSION, reading);
}
