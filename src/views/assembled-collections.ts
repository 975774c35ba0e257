import type { StoredView, ViewDocument, ViewWriter } from '../eventstore/projector.js';
import { compareMemberIds } from '../projections/member-order.js';

/**
 * The collections that may hold thousands of members (the systems, their BMCs and chassis, the
 * firmware inventory of every system), kept in parts: the collection's view holds its
 * properties with `Members` empty, and each member is a hidden view of its own, so adding a
 * member writes that member's part, not the whole collection again (registering n systems costs
 * n small writes, not n writes of a document growing with n). Reads put the document together:
 * its members in collection order and the position of the latest part or of the collection's
 * own view, whichever is later. A member's removal puts the collection's view again, so that
 * position (the ETag) moves as it did when the document was rewritten whole.
 */
export const ASSEMBLED_COLLECTIONS: ReadonlySet<string> = new Set([
  '/redfish/v1/Systems',
  '/redfish/v1/Managers',
  '/redfish/v1/Chassis',
  '/redfish/v1/UpdateService/FirmwareInventory',
]);

const PART = '#member:';
/**
 * Marks a collection's view as kept in parts: a mockup lab writes these same collections whole,
 * as its tree has them, and those are served as written.
 */
export const ASSEMBLED_MARK = '#assembled';

/** The hidden view that says `memberId` (an @odata.id) is a member of its parent collection. */
export const memberPartId = (memberId: string) => `${PART}${memberId}`;

/** The prefix every part of `collectionId` begins with; parts sort together under it. */
export const memberPartPrefix = (collectionId: string) => `${PART}${collectionId}/`;

/** The member a part's id names, if the id is a part of `collectionId` (not of a collection below it). */
export function memberOfPart(collectionId: string, partId: string): string | undefined {
  const prefix = memberPartPrefix(collectionId);
  if (!partId.startsWith(prefix) || partId.indexOf('/', prefix.length) !== -1) return undefined;
  return partId.slice(PART.length);
}

/** The collection a member belongs to, when that collection is kept in parts. */
export function assembledCollectionOf(memberId: string): string | undefined {
  const collectionId = memberId.slice(0, memberId.lastIndexOf('/'));
  return ASSEMBLED_COLLECTIONS.has(collectionId) ? collectionId : undefined;
}

/** A view `odataId` whose writes change what an assembled collection reads: the collection itself or a part. */
export function assembledCollectionTouchedBy(odataId: string): string | undefined {
  if (ASSEMBLED_COLLECTIONS.has(odataId)) return odataId;
  return odataId.startsWith(PART) ? assembledCollectionOf(odataId.slice(PART.length)) : undefined;
}

/** The members a collection's own view lists: none for one kept in parts, unless it was written whole (a mockup's). */
function listedMemberIds(document: ViewDocument): string[] {
  const members = Array.isArray(document['Members']) ? (document['Members'] as ViewDocument[]) : [];
  return members.map((m) => m['@odata.id']).filter((id): id is string => typeof id === 'string');
}

/** The collection as GET returns it: its own view with the members of `parts` (ids and positions of the parts). */
export function assembleCollection(
  collection: StoredView,
  parts: Iterable<{ readonly odataId: string; readonly position: number }>,
): StoredView {
  const document = JSON.parse(collection.body) as ViewDocument;
  if (document[ASSEMBLED_MARK] !== true) return collection;
  delete document[ASSEMBLED_MARK];
  const members = new Set(listedMemberIds(document));
  let position = collection.position;
  for (const part of parts) {
    const member = memberOfPart(collection.odataId, part.odataId);
    if (member === undefined) continue;
    members.add(member);
    if (part.position > position) position = part.position;
  }
  const sorted = [...members].sort(compareMemberIds);
  document['Members'] = sorted.map((id) => ({ '@odata.id': id }));
  document['Members@odata.count'] = sorted.length;
  return { odataId: collection.odataId, body: JSON.stringify(document), position };
}

/** The view of an assembled collection with no member yet: `document` with its empty Members, marked. */
export function assembledCollection(document: ViewDocument): ViewDocument {
  return { ...document, Members: [], 'Members@odata.count': 0, [ASSEMBLED_MARK]: true };
}

/** Adds `memberId` to the assembled collection `collectionId` (made by the caller), once. */
export function putMemberPart(views: ViewWriter, position: number, memberId: string): void {
  const partId = memberPartId(memberId);
  if (!views.exists(partId)) views.put({ '@odata.id': partId }, position);
}

/** Removes `memberId` from its assembled collection, stamping the collection with the removal's position. */
export function deleteMemberPart(views: ViewWriter, position: number, collectionId: string, memberId: string): void {
  const partId = memberPartId(memberId);
  if (!views.exists(partId)) return;
  views.delete(partId);
  const collection = views.get(collectionId);
  if (collection) views.put(collection, position);
}

/** The members of a collection as a projector reads them, in collection order: its parts when it is kept in parts. */
export function memberIdsOf(views: ViewWriter, collectionId: string): string[] {
  const collection = views.get(collectionId);
  if (!collection) return [];
  const listed = listedMemberIds(collection);
  if (collection[ASSEMBLED_MARK] !== true) return listed;
  const parts = views
    .idsWithPrefix(memberPartPrefix(collectionId))
    .flatMap((id) => memberOfPart(collectionId, id) ?? []);
  return [...new Set([...listed, ...parts])].sort(compareMemberIds);
}

/** Every view as GET reads it: assembled collections with their members, their parts left out. */
export function withCollectionsAssembled(rows: readonly StoredView[]): StoredView[] {
  const partsOf = new Map<string, StoredView[]>();
  for (const row of rows) {
    const collectionId = row.odataId.startsWith(PART) ? assembledCollectionTouchedBy(row.odataId) : undefined;
    if (collectionId === undefined) continue;
    const parts = partsOf.get(collectionId);
    if (parts) parts.push(row);
    else partsOf.set(collectionId, [row]);
  }
  return rows.flatMap((row) => {
    if (row.odataId.startsWith(PART) && assembledCollectionTouchedBy(row.odataId) !== undefined) return [];
    return ASSEMBLED_COLLECTIONS.has(row.odataId) ? [assembleCollection(row, partsOf.get(row.odataId) ?? [])] : [row];
  });
}
