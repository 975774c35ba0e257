/**
 * A cache of what was read or written lately, bounded by entries. Entries go into a young
 * generation; once it holds `generationSize` it becomes the old one and the old one before it
 * is dropped, and an entry found in the old generation moves back to the young. So an entry
 * used again before `generationSize` others went in stays, and the least recently used go
 * half the bound at a time. Dropping
 * everything at the bound instead made a burst over a large lab, which touches more views than
 * the bound, read back the views of the systems it was working on; and a strict
 * least-recently-used order would reorder the map on every hit, on the path of every GET.
 */
export class RecentCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();

  /** `onTurn` is told each time the old generation is dropped. */
  constructor(
    private readonly generationSize: number,
    private readonly onTurn: () => void = () => {},
  ) {}

  /** The value kept for `key`, undefined if none is (a value is never undefined). */
  get(key: K): V | undefined {
    const young = this.young.get(key);
    if (young !== undefined) return young;
    const old = this.old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: K, value: V): void {
    this.old.delete(key);
    this.young.set(key, value);
    if (this.young.size < this.generationSize) return;
    this.old = this.young;
    this.young = new Map();
    this.onTurn();
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }

  /** How many entries are kept: at most twice the generation size. */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
