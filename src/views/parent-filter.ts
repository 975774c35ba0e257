/**
 * A Bloom filter of the parent paths a snapshot lists families under: a restore of a chain of a
 * hundred deltas asks each of them about every family its replay reads, and a delta holds only a
 * few of those, so most questions are answered here without reading a page. About one in a
 * hundred answers "maybe" wrongly, which costs a page read; "no" is always right.
 */
const BITS_PER_PARENT = 10;
const PROBES = 7;

/** Two 32-bit FNV-1a hashes of the text (different offset bases), the probes' start and stride. */
function hashesOf(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193);
  }
  return [a >>> 0, (b | 1) >>> 0];
}

/** The last text hashed: a restore asks every link of its chain about the same parent in turn. */
let lastHashed: { text: string; hashes: [number, number] } | undefined;
const hashesOfParent = (text: string) =>
  lastHashed?.text === text ? lastHashed.hashes : (lastHashed = { text, hashes: hashesOf(text) }).hashes;

/** The filter of `parents`, as base64 text for a snapshot's index. */
export function parentFilter(parents: readonly string[]): string {
  const bits = Math.max(64, Math.ceil((parents.length * BITS_PER_PARENT) / 8) * 8);
  const filter = Buffer.alloc(bits / 8);
  for (const parent of parents) {
    const [start, stride] = hashesOf(parent);
    for (let i = 0; i < PROBES; i += 1) {
      const bit = (start + i * stride) % bits;
      filter[bit >>> 3]! |= 1 << (bit & 7);
    }
  }
  return filter.toString('base64');
}

/** Reads a filter made by parentFilter: false when `parent` is certainly not one of its parents. */
export function parentFilterTest(encoded: string): (parent: string) => boolean {
  const filter = Buffer.from(encoded, 'base64');
  const bits = filter.length * 8;
  if (bits === 0) return () => true;
  return (parent) => {
    const [start, stride] = hashesOfParent(parent);
    for (let i = 0; i < PROBES; i += 1) {
      const bit = (start + i * stride) % bits;
      if ((filter[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  };
}
