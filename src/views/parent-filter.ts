/**
 * A Bloom filter of the parent paths a snapshot lists families under: a restore of a chain of a
 * hundred deltas asks each of them about every family its replay reads, and a delta holds only a
 * few of those, so most questions are answered here without reading a page. About one in a
 * hundred answers "maybe" wrongly, which costs a page read; "no" is always right.
 */
const BITS_PER_PARENT = 10;
const PROBES = 7;

/** Two 32-bit FNV-1a hashes of the text (different offset bases): the probes' start and stride (odd). */
function hashesOf(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193);
  }
  return [a, b | 1];
}

/** The last text hashed: a restore asks every link of its chain about the same parent in turn. */
let lastHashed: { text: string; hashes: [number, number] } | undefined;
const hashesOfParent = (text: string) =>
  lastHashed?.text === text ? lastHashed.hashes : (lastHashed = { text, hashes: hashesOf(text) }).hashes;

/** The i-th probe's bit of a filter of `mask + 1` bits (a power of two), in 32-bit integer arithmetic. */
const probe = (start: number, stride: number, i: number, mask: number) => (start + Math.imul(i, stride)) & mask;

/** The filter of `parents`, as base64 text for a snapshot's index: a power of two bits, 64 at least. */
export function parentFilter(parents: readonly string[]): string {
  let bits = 64;
  while (bits < parents.length * BITS_PER_PARENT) bits *= 2;
  const filter = Buffer.alloc(bits / 8);
  for (const parent of parents) {
    const [start, stride] = hashesOf(parent);
    for (let i = 0; i < PROBES; i += 1) {
      const bit = probe(start, stride, i, bits - 1);
      filter[bit >>> 3]! |= 1 << (bit & 7);
    }
  }
  return filter.toString('base64');
}

/** Reads a filter made by parentFilter: false when `parent` is certainly not one of its parents. */
export function parentFilterTest(encoded: string): (parent: string) => boolean {
  const filter = Buffer.from(encoded, 'base64');
  const bits = filter.length * 8;
  // Not a filter parentFilter makes (the index is damaged): it cannot say no.
  if (bits < 64 || (bits & (bits - 1)) !== 0) return () => true;
  return (parent) => {
    const [start, stride] = hashesOfParent(parent);
    for (let i = 0; i < PROBES; i += 1) {
      const bit = probe(start, stride, i, bits - 1);
      if ((filter[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  };
}
