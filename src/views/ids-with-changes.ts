/**
 * The ids beginning with `prefix`: those of `ids` (already stored) with the changes not yet in
 * them applied, each a view put or, when null or undefined, one deleted.
 */
export function idsWithChanges(
  ids: Iterable<string>,
  changes: Iterable<readonly [string, unknown]>,
  prefix: string,
): string[] {
  const result = new Set([...ids].filter((odataId) => odataId.startsWith(prefix)));
  for (const [odataId, view] of changes) {
    if (!odataId.startsWith(prefix)) continue;
    if (view) result.add(odataId);
    else result.delete(odataId);
  }
  return [...result];
}
