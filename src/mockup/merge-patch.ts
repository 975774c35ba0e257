type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A document with changes applied as a JSON merge patch (RFC 7396, as Redfish PATCH is): objects
 * merge member by member, anything else (arrays, null) replaces. Neither input is changed.
 */
export function mergePatch(document: Json, changes: Json): Json {
  const merged: Json = { ...document };
  for (const [key, value] of Object.entries(changes)) {
    merged[key] = isObject(value) && isObject(merged[key]) ? mergePatch(merged[key] as Json, value) : value;
  }
  return merged;
}
