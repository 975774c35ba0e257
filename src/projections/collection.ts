import { compareMemberIds } from './member-order.js';
import { ASSEMBLED_COLLECTIONS, assembledCollection, putMemberPart } from '../views/assembled-collections.js';
import type { ViewDocument, ViewWriter } from '../eventstore/projector.js';

/** Adds a member to a Redfish resource collection, creating the collection on its first member. */
export function addMember(
  views: ViewWriter,
  position: number,
  collection: { id: string; type: string; name: string },
  memberId: string,
): void {
  if (ASSEMBLED_COLLECTIONS.has(collection.id)) {
    if (!views.exists(collection.id)) views.put(assembledCollection(emptyCollection(collection)), position);
    return putMemberPart(views, position, memberId);
  }
  const doc: ViewDocument = views.get(collection.id) ?? emptyCollection(collection);
  const members = doc['Members'] as { '@odata.id': string }[];
  if (members.some((m) => m['@odata.id'] === memberId)) return;
  members.push({ '@odata.id': memberId });
  members.sort((a, b) => compareMemberIds(a['@odata.id'], b['@odata.id']));
  doc['Members@odata.count'] = members.length;
  views.put(doc, position);
}

function emptyCollection(collection: { id: string; type: string; name: string }): ViewDocument {
  return {
    '@odata.id': collection.id,
    '@odata.type': collection.type,
    Name: collection.name,
    Members: [],
    'Members@odata.count': 0,
  };
}

/** Links a top-level collection from the service root, once. */
export function linkFromServiceRoot(views: ViewWriter, position: number, property: string, target: string): void {
  const root = views.get('/redfish/v1');
  if (!root || (root[property] as { '@odata.id'?: string } | undefined)?.['@odata.id'] === target) return;
  root[property] = { '@odata.id': target };
  views.put(root, position);
}

/**
 * Makes a collection hold exactly `memberIds` (relative to the collection's own id), creating it
 * if needed. Returns the @odata.ids of members it no longer has, for the caller to delete.
 */
export function setMembers(
  views: ViewWriter,
  position: number,
  id: string,
  type: string,
  name: string,
  memberIds: readonly string[],
): string[] {
  const previous = ((views.get(id)?.['Members'] as { '@odata.id': string }[] | undefined) ?? []).map(
    (m) => m['@odata.id'],
  );
  const members = memberIds.map((member) => `${id}/${member}`);
  views.put(
    {
      '@odata.id': id,
      '@odata.type': type,
      Name: name,
      Members: members.map((m) => ({ '@odata.id': m })),
      'Members@odata.count': members.length,
    },
    position,
  );
  return previous.filter((m) => !members.includes(m));
}
