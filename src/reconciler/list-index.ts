/**
 * The items of a list with a given key, found through a map rather than a look through the list
 * (ten thousand systems, looked up at every event of the log). The map is made again when `list`
 * returns another array: the lab's lists of systems are replaced, never changed in place.
 */
export function indexBy<T>(list: () => readonly T[], keyOf: (item: T) => string): (key: string) => readonly T[] {
  let indexed: readonly T[] | undefined;
  let groups = new Map<string, T[]>();
  return (key) => {
    const items = list();
    if (items !== indexed) {
      indexed = items;
      groups = new Map();
      for (const item of items) {
        const group = groups.get(keyOf(item));
        if (group) group.push(item);
        else groups.set(keyOf(item), [item]);
      }
    }
    return groups.get(key) ?? [];
  };
}
