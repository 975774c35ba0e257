import { deflate, deflateSync } from 'node:zlib';
import type { StoredView } from '../eventstore/projector.js';
import { parentFilter } from './parent-filter.js';

/**
 * A snapshot's stored form opens with these four bytes ('RFS2'); one written before it opens with
 * its header's length instead, which is never this large (snapshot-reading.ts reads both).
 */
export const PAGED_FORM = 0x52465332;

/**
 * A snapshot's index, read whole when it is restored: each section's deflated and inflated
 * length, each page's first parent path and deflated length, and the ids the snapshot deletes
 * (none for a keyframe).
 */
export interface SnapshotIndex {
  readonly sections: readonly (readonly [number, number])[];
  readonly pages: readonly (readonly [string, number])[];
  readonly deleted: readonly string[];
  /** The parent paths' filter (parent-filter.ts), in a snapshot of up to FILTERED_FAMILIES families. */
  readonly parents?: string;
}

/**
 * The views under one parent path (a family: a log's entries, the tasks, a system's documents):
 * [parent, section, where its bodies start in the section, last segments of the ids, positions,
 * body lengths in UTF-8 bytes]. Its bodies follow one another from there, going on at the start
 * of the next section where one ends (a body is never split). A page lists families in the order
 * of their parent paths, so a restore reads only the pages of the families a replay asks about:
 * a keyframe of ten thousand systems lists a million views, and a replay of 500 events reads a
 * few hundred systems' families.
 */
export type HeaderFamily = readonly [string, number, number, readonly string[], readonly number[], readonly number[]];

/** Level 6 deflates a keyframe a quarter smaller than level 3, and it inflates faster for it. */
const DEFLATE = { level: 6 };
/**
 * Bodies go into sections one after another, a new section begun once one holds this many
 * bytes, so a replay reading a view inflates about this much: a system's documents, or the
 * part of a family of ten thousand (the systems' hidden state) that holds the one it reads.
 * Deflate looks back 32 KiB, so sections this size deflate nearly as well as larger ones.
 */
const SECTION_BYTES = 48 * 1024;
/**
 * A snapshot of more families than this (a keyframe of a large lab) has no filter of them: it
 * holds most of the families a replay asks about, and its filter would take more to read than
 * the pages it saves.
 */
const FILTERED_FAMILIES = 50_000;
/** Families share a page until their ids take about this many bytes of JSON. */
const PAGE_BYTES = 4 * 1024;

export const parentOf = (odataId: string) => odataId.slice(0, odataId.lastIndexOf('/') + 1);

interface OpenFamily {
  readonly parent: string;
  readonly leaves: string[];
  readonly positions: number[];
  readonly bodies: string[];
  readonly bytes: number[];
}

/**
 * Builds a snapshot's stored form from its views given in @odata.id order. All the ids under a
 * path come together in that order, so a family is complete once the ids have left its parent
 * path, and its bodies go into a section then; a section is handed to `deflate` once full. A
 * keyframe of a million views thus holds their bodies deflated, and those of the few families
 * still open, never all of them at once.
 */
export class SnapshotEncoder<Deflated> {
  /** The families whose parent path the last id is under, outermost first. */
  private readonly open: OpenFamily[] = [];
  private readonly families: HeaderFamily[] = [];
  private readonly sections: Deflated[] = [];
  /** Each deflated section's length inflated. */
  private readonly lengths: number[] = [];
  /** The bodies of the section being filled (the next index of `sections`), and their bytes. */
  private filling: string[] = [];
  private fillingBytes = 0;
  private last?: string;

  constructor(private readonly deflate: (text: Buffer) => Deflated) {}

  add(view: StoredView): void {
    if (this.last !== undefined && view.odataId <= this.last)
      throw new Error(`snapshot views out of @odata.id order: ${view.odataId} after ${this.last}`);
    this.last = view.odataId;
    while (this.open.length > 0 && !view.odataId.startsWith(this.open.at(-1)!.parent)) this.close(this.open.pop()!);
    const parent = parentOf(view.odataId);
    let family = this.open.at(-1);
    if (family?.parent !== parent) {
      family = { parent, leaves: [], positions: [], bodies: [], bytes: [] };
      this.open.push(family);
    }
    family.leaves.push(view.odataId.slice(parent.length));
    family.positions.push(view.position);
    family.bodies.push(view.body);
    family.bytes.push(Buffer.byteLength(view.body, 'utf8'));
  }

  /** The families (in the order they were completed), the deflated sections and their lengths, every view given. */
  finish(): { families: readonly HeaderFamily[]; sections: Deflated[]; lengths: readonly number[] } {
    while (this.open.length > 0) this.close(this.open.pop()!);
    this.flush();
    return { families: this.families, sections: this.sections, lengths: this.lengths };
  }

  private close(family: OpenFamily): void {
    const { parent, leaves, positions, bodies, bytes } = family;
    this.families.push([parent, this.sections.length, this.fillingBytes, leaves, positions, bytes]);
    for (let i = 0; i < bodies.length; i += 1) {
      this.filling.push(bodies[i]!);
      this.fillingBytes += bytes[i]!;
      if (this.fillingBytes >= SECTION_BYTES) this.flush();
    }
  }

  private flush(): void {
    if (this.filling.length === 0) return;
    this.sections.push(this.deflate(Buffer.from(this.filling.join(''), 'utf8')));
    this.lengths.push(this.fillingBytes);
    this.filling = [];
    this.fillingBytes = 0;
  }
}

const byParent = (families: readonly HeaderFamily[]) =>
  [...families].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

/** The families (in the order of their parent paths), in pages of about PAGE_BYTES: each page's text, and its first parent. */
function pagesOf(sorted: readonly HeaderFamily[]): { first: string; text: Buffer }[] {
  const pages: { first: string; text: Buffer }[] = [];
  let page: HeaderFamily[] = [];
  let bytes = 0;
  const flush = () => {
    if (page.length > 0) pages.push({ first: page[0]![0], text: Buffer.from(JSON.stringify(page), 'utf8') });
    page = [];
    bytes = 0;
  };
  for (const family of sorted) {
    page.push(family);
    bytes += family[0].length + family[3].reduce((sum, leaf) => sum + leaf.length + 16, 0);
    if (bytes >= PAGE_BYTES) flush();
  }
  flush();
  return pages;
}

/**
 * The stored form: PAGED_FORM, the index's deflated length (4 bytes), the index deflated, each
 * page deflated, then each section deflated.
 */
function assemble(
  sorted: readonly HeaderFamily[],
  pages: readonly { first: string; deflated: Buffer }[],
  sections: readonly Buffer[],
  lengths: readonly number[],
  deleted: readonly string[],
): Buffer {
  const index: SnapshotIndex = {
    sections: sections.map((section, i) => [section.length, lengths[i]!]),
    pages: pages.map((page) => [page.first, page.deflated.length]),
    deleted,
    ...(sorted.length <= FILTERED_FAMILIES && { parents: parentFilter(sorted.map(([parent]) => parent)) }),
  };
  const indexDeflated = deflateSync(JSON.stringify(index), DEFLATE);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(PAGED_FORM, 0);
  head.writeUInt32BE(indexDeflated.length, 4);
  return Buffer.concat([head, indexDeflated, ...pages.map((page) => page.deflated), ...sections]);
}

/** One snapshot's content: the views it puts, in @odata.id order, and the ids it deletes (none for a keyframe). */
export function encodeSnapshot(views: Iterable<StoredView>, deleted: readonly string[] = []): Buffer {
  const encoder = new SnapshotEncoder((text) => deflateSync(text, DEFLATE));
  for (const view of views) encoder.add(view);
  const { families, sections, lengths } = encoder.finish();
  const sorted = byParent(families);
  const pages = pagesOf(sorted).map(({ first, text }) => ({ first, deflated: deflateSync(text, DEFLATE) }));
  return assemble(sorted, pages, sections, lengths, deleted);
}

/**
 * A snapshot's sections not deflated yet, at most, while more views are read: libuv's thread pool
 * has four threads, and sections waiting beyond that only hold their text.
 */
const SECTIONS_PENDING = 4;
/**
 * A snapshot's deflates under way at most: each holds about 140 KB of zlib state from the moment
 * it is made, and the pages of a keyframe of 10,000 systems, thousands of them, made all at once
 * took over a gigabyte; four at a time, each waiting for a turn of a busy event loop, they took
 * long enough for the keyframe to be given up at a restart.
 */
const DEFLATES_UNDER_WAY = 32;

/** A deflate on libuv's thread pool that starts once fewer than DEFLATES_UNDER_WAY of those it made are under way. */
function deflatesFewAtATime(): (text: Buffer) => Promise<Buffer | undefined> {
  const waiting: (() => void)[] = [];
  let underWay = 0;
  return (text) =>
    new Promise((resolve) => {
      const start = () => {
        underWay += 1;
        deflate(text, DEFLATE, (err, body) => {
          underWay -= 1;
          waiting.shift()?.();
          resolve(err ? undefined : body);
        });
      };
      if (underWay < DEFLATES_UNDER_WAY) start();
      else waiting.push(start);
    });
}

/**
 * As encodeSnapshot, from views that come in pages, deflating on libuv's thread pool while the
 * next pages are read; undefined if deflating fails or the pages end in an error (the reading
 * was given up).
 */
export async function encodeSnapshotAsync(
  pages: AsyncIterable<readonly StoredView[]> | Iterable<readonly StoredView[]>,
  deleted: readonly string[],
): Promise<Buffer | undefined> {
  const deflateInPool = deflatesFewAtATime();
  // The sections not deflated yet: more views are read once few are left.
  const deflating = new Set<Promise<Buffer | undefined>>();
  const deflateSection = (text: Buffer) => {
    const deflated = deflateInPool(text);
    deflating.add(deflated);
    void deflated.then(() => deflating.delete(deflated));
    return deflated;
  };
  const encoder = new SnapshotEncoder(deflateSection);
  try {
    for await (const page of pages) {
      for (const view of page) encoder.add(view);
      while (deflating.size > SECTIONS_PENDING) await Promise.race(deflating);
    }
  } catch {
    return undefined;
  }
  const { families, sections, lengths } = encoder.finish();
  const sorted = byParent(families);
  const headerPages = pagesOf(sorted);
  const [deflatedSections, deflatedPages] = await Promise.all([
    Promise.all(sections),
    Promise.all(headerPages.map(({ text }) => deflateInPool(text))),
  ]);
  if (!deflatedSections.every((s) => s !== undefined) || !deflatedPages.every((p) => p !== undefined)) return undefined;
  return assemble(
    sorted,
    headerPages.map(({ first }, i) => ({ first, deflated: deflatedPages[i]! })),
    deflatedSections,
    lengths,
    deleted,
  );
}
