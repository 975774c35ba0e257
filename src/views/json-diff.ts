/**
 * One change between two JSON documents, as a JSON Patch (RFC 6902) operation that turns the
 * first into the second, with the value it replaces or removes in `previous` (a member JSON
 * Patch tools ignore). `path` is a JSON Pointer (RFC 6901); '' is the whole document.
 */
export type JsonChange =
  | { readonly op: 'add'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string; readonly previous: unknown }
  | { readonly op: 'replace'; readonly path: string; readonly value: unknown; readonly previous: unknown };

const pointer = (path: string, key: string | number) =>
  `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The changes from `from` to `to`, in an order that applies as a patch: object members in the
 * order `to` has them (those gone first), array items by index with extra items removed from the
 * end backwards or added at the end. Equal documents give no change; `undefined` on one side
 * (the resource did not exist) gives one add or remove of the whole document.
 */
export function diffJson(from: unknown, to: unknown, path = ''): JsonChange[] {
  if (from === undefined && to === undefined) return [];
  if (from === undefined) return [{ op: 'add', path, value: to }];
  if (to === undefined) return [{ op: 'remove', path, previous: from }];
  if (isObject(from) && isObject(to)) {
    const changes: JsonChange[] = [];
    for (const key of Object.keys(from)) {
      if (!Object.hasOwn(to, key)) changes.push({ op: 'remove', path: pointer(path, key), previous: from[key] });
    }
    for (const key of Object.keys(to)) {
      changes.push(
        ...(Object.hasOwn(from, key)
          ? diffJson(from[key], to[key], pointer(path, key))
          : [{ op: 'add' as const, path: pointer(path, key), value: to[key] }]),
      );
    }
    return changes;
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const changes: JsonChange[] = [];
    const common = Math.min(from.length, to.length);
    for (let i = 0; i < common; i += 1) changes.push(...diffJson(from[i], to[i], pointer(path, i)));
    for (let i = from.length - 1; i >= common; i -= 1)
      changes.push({ op: 'remove', path: pointer(path, i), previous: from[i] });
    for (let i = common; i < to.length; i += 1) changes.push({ op: 'add', path: pointer(path, i), value: to[i] });
    return changes;
  }
  return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ op: 'replace', path, value: to, previous: from }];
}
