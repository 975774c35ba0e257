type Json = Record<string, unknown>;

/** The @odata.ids a collection lists. */
export function memberIds(collection: Json): string[] {
  const members = Array.isArray(collection['Members']) ? (collection['Members'] as Json[]) : [];
  return members.map((m) => m['@odata.id']).filter((id): id is string => typeof id === 'string');
}

/** A collection with these members, its count kept true. */
export function withMembers(collection: Json, ids: readonly string[]): Json {
  return { ...collection, Members: ids.map((id) => ({ '@odata.id': id })), 'Members@odata.count': ids.length };
}
