import { deflate, deflateSync } from 'node:zlib';
import type { StoredView } from '../eventstore/projector.js';

/**
 * A snapshot's header: the views by parent path (a family: a log's entries, the tasks, a
 * system's documents), each family's bodies in one of the sections, and the deflated length of
 * each section. A family: [parent, section, last segments of the ids, positions, body lengths in
 * UTF-8 bytes]. A section holds its families' bodies one after another, in the header's order.
 */
export interface SnapshotHeader {
  readonly sections: readonly number[];
  readonly families: readonly HeaderFamily[];
  readonly deleted: readonly string[];
}

export type HeaderFamily = readonly [string, number, readonly string[], readonly number[], readonly number[]];

/** Level 6 deflates a keyframe a quarter smaller than level 3, and it inflates faster for it. */
const DEFLATE = { level: 6 };
/**
 * A family whose bodies reach this many bytes is deflated apart from the rest (a log's entries,
 * the tasks), so a restore inflates it only when a replay reads one of it: most replays read the
 * documents of systems and storage, few ever read a log entry.
 */
const SECTION_BYTES = 8 * 1024;
/**
 * Smaller families share a section until it holds this many bytes. Deflate looks back 32 KiB,
 * so a section this size deflates about as well as one of every small family, and a keyframe is
 * deflated while it is being read instead of after.
 */
const SHARED_SECTION_BYTES = 1024 * 1024;

export const parentOf = (odataId: string) => odataId.slice(0, odataId.lastIndexOf('/') + 1);

interface OpenFamily {
  readonly parent: string;
  readonly leaves: string[];
  readonly positions: number[];
  readonly bodies: string[];
  readonly bytes: number[];
  total: number;
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
  /** Deflated sections by index; the shared section being filled has its index, not its content yet. */
  private readonly sections: (Deflated | undefined)[] = [];
  private shared?: { readonly index: number; readonly bodies: string[]; bytes: number };
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
      family = { parent, leaves: [], positions: [], bodies: [], bytes: [], total: 0 };
      this.open.push(family);
    }
    const bytes = Buffer.byteLength(view.body, 'utf8');
    family.leaves.push(view.odataId.slice(parent.length));
    family.positions.push(view.position);
    family.bodies.push(view.body);
    family.bytes.push(bytes);
    family.total += bytes;
  }

  /** The header's families and the deflated sections, every view given. */
  finish(): { families: readonly HeaderFamily[]; sections: Deflated[] } {
    while (this.open.length > 0) this.close(this.open.pop()!);
    this.flushShared();
    return { families: this.families, sections: this.sections as Deflated[] };
  }

  private close(family: OpenFamily): void {
    let index: number;
    if (family.total >= SECTION_BYTES) {
      index = this.sections.length;
      this.sections.push(this.deflate(Buffer.from(family.bodies.join(''), 'utf8')));
    } else {
      if (!this.shared) {
        this.shared = { index: this.sections.length, bodies: [], bytes: 0 };
        this.sections.push(undefined);
      }
      index = this.shared.index;
      this.shared.bodies.push(...family.bodies);
      this.shared.bytes += family.total;
    }
    this.families.push([family.parent, index, family.leaves, family.positions, family.bytes]);
    if (this.shared && this.shared.bytes >= SHARED_SECTION_BYTES) this.flushShared();
  }

  private flushShared(): void {
    if (!this.shared) return;
    this.sections[this.shared.index] = this.deflate(Buffer.from(this.shared.bodies.join(''), 'utf8'));
    this.shared = undefined;
  }
}

/** The stored form: the header's deflated length (4 bytes), the header deflated, then each section deflated. */
function assemble(families: readonly HeaderFamily[], deleted: readonly string[], sections: readonly Buffer[]): Buffer {
  const header: SnapshotHeader = { sections: sections.map((section) => section.length), families, deleted };
  const head = deflateSync(JSON.stringify(header), DEFLATE);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length);
  return Buffer.concat([length, head, ...sections]);
}

/** One snapshot's content: the views it puts, in @odata.id order, and the ids it deletes (none for a keyframe). */
export function encodeSnapshot(views: Iterable<StoredView>, deleted: readonly string[] = []): Buffer {
  const encoder = new SnapshotEncoder((text) => deflateSync(text, DEFLATE));
  for (const view of views) encoder.add(view);
  const { families, sections } = encoder.finish();
  return assemble(families, deleted, sections);
}

/** Sections being deflated at most while more views are read: libuv's thread pool has four threads. */
const DEFLATING_AT_ONCE = 4;

/**
 * As encodeSnapshot, from views that come in pages, deflating on libuv's thread pool while the
 * next pages are read; undefined if deflating fails or the pages end in an error (the reading
 * was given up).
 */
export async function encodeSnapshotAsync(
  pages: AsyncIterable<readonly StoredView[]> | Iterable<readonly StoredView[]>,
  deleted: readonly string[],
): Promise<Buffer | undefined> {
  const deflating = new Set<Promise<Buffer | undefined>>();
  const encoder = new SnapshotEncoder((text) => {
    const deflated = new Promise<Buffer | undefined>((resolve) =>
      deflate(text, DEFLATE, (err, body) => resolve(err ? undefined : body)),
    );
    deflating.add(deflated);
    void deflated.then(() => deflating.delete(deflated));
    return deflated;
  });
  try {
    for await (const page of pages) {
      for (const view of page) encoder.add(view);
      while (deflating.size > DEFLATING_AT_ONCE) await Promise.race(deflating);
    }
  } catch {
    return undefined;
  }
  const { families, sections } = encoder.finish();
  const deflated = await Promise.all(sections);
  return deflated.every((section) => section !== undefined)
    ? assemble(families, deleted, deflated as Buffer[])
    : undefined;
}
