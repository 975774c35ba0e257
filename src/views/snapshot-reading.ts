import { inflateSync } from 'node:zlib';
import type { StoredView } from '../eventstore/projector.js';
import { parentFilterTest } from './parent-filter.js';
import { PAGED_FORM, type HeaderFamily, type SnapshotIndex } from './snapshot-encoding.js';

/** A snapshot's section could not be inflated, or does not hold what the header says: the row is damaged. */
export class DamagedSnapshotError extends Error {
  constructor(readonly position: number) {
    super(`the snapshot at ${position} is damaged`);
  }
}

/** Inflates one part of a stored snapshot; a DamagedSnapshotError naming the row if it cannot be, or is not `length` long. */
function inflatePart(deflated: Buffer, position: number, length?: number): Buffer {
  let text: Buffer;
  try {
    text = inflateSync(deflated);
  } catch {
    throw new DamagedSnapshotError(position);
  }
  if (length !== undefined && text.length !== length) throw new DamagedSnapshotError(position);
  return text;
}

/** A part of a stored snapshot that holds JSON, inflated and parsed; a DamagedSnapshotError if it cannot be. */
function parsePart<T>(deflated: Buffer, position: number): T {
  const text = inflatePart(deflated, position).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DamagedSnapshotError(position);
  }
}

/**
 * The sections read last, least recently read first, up to INFLATED_BYTES in all. A replay in a
 * large lab reads from a few hundred sections, some of them again a while later (the part of
 * the systems' hidden state or of a collection that it needs next): keeping 64 of them inflated
 * a third of them twice. Keeping every section ever inflated would pile up a keyframe's whole
 * text (400 MB for 10,000 systems) as reads wander over a lab's history.
 */
const inflated = new Map<Section, Buffer>();
const INFLATED_BYTES = 32 * 1024 * 1024;
let inflatedBytes = 0;

/** One section of a stored snapshot, inflated when a view of it is read. */
class Section {
  constructor(
    private readonly deflated: Buffer,
    readonly length: number,
    private readonly position: number,
  ) {}

  bytes(): Buffer {
    const known = inflated.get(this);
    if (known) {
      // Read again: the last to go.
      inflated.delete(this);
      inflated.set(this, known);
      return known;
    }
    const text = inflatePart(this.deflated, this.position, this.length);
    inflated.set(this, text);
    inflatedBytes += text.length;
    for (const [section, kept] of inflated) {
      if (inflatedBytes <= INFLATED_BYTES) break;
      inflated.delete(section);
      inflatedBytes -= kept.length;
    }
    return text;
  }
}

/** A view of a stored snapshot: its body is read from its section when first asked for. */
class SnapshotView implements StoredView {
  private text?: string;
  constructor(
    readonly odataId: string,
    readonly position: number,
    private readonly section: Section,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get body(): string {
    return (this.text ??= this.section.bytes().toString('utf8', this.start, this.end));
  }
}

/** A family of views as one stored snapshot holds it: its members, and where their bodies are. */
export interface StoredFamily {
  readonly leaves: readonly string[];
  readonly positions: readonly number[];
  /** The section each body is in, where it starts there and where it ends. */
  readonly sections: readonly Section[];
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

/** A stored snapshot opened: its families by parent path, read as they are asked for, and the ids it deletes. */
export interface OpenedSnapshot {
  family(parent: string): StoredFamily | undefined;
  /** The parent path of every family it holds. */
  parents(): Iterable<string>;
  readonly deleted: readonly string[];
}

export const viewOf = (parent: string, family: StoredFamily, i: number): StoredView =>
  new SnapshotView(
    parent + family.leaves[i]!,
    family.positions[i]!,
    family.sections[i]!,
    family.starts[i]!,
    family.ends[i]!,
  );

/**
 * A family whose bodies, `bytes` long, follow one another from `start` in `sections[first]`,
 * going on at the start of the next section where one ends; DamagedSnapshotError (naming the
 * row at `position`) if they run past the sections.
 */
function placeFamily(
  leaves: readonly string[],
  positions: readonly number[],
  bytes: readonly number[],
  sections: readonly Section[],
  first: number,
  start: number,
  position: number,
): StoredFamily {
  if (leaves.length !== positions.length || leaves.length !== bytes.length) throw new DamagedSnapshotError(position);
  const placed = {
    leaves,
    positions,
    sections: new Array<Section>(bytes.length),
    starts: new Array<number>(bytes.length),
    ends: new Array<number>(bytes.length),
  };
  let index = first;
  let at = start;
  for (let i = 0; i < bytes.length; i += 1) {
    if (at >= (sections[index]?.length ?? 0)) [index, at] = [index + 1, 0];
    const section = sections[index];
    if (!section || at + bytes[i]! > section.length) throw new DamagedSnapshotError(position);
    placed.sections[i] = section;
    placed.starts[i] = at;
    placed.ends[i] = at += bytes[i]!;
  }
  return placed;
}

/**
 * A snapshot in the paged form (snapshot-encoding.ts): only its index is read on opening; a
 * page of families when a family on it is first asked for, found by bisecting the pages' first
 * parent paths.
 */
class PagedSnapshot implements OpenedSnapshot {
  readonly deleted: readonly string[];
  private readonly sections: Section[];
  private readonly pageFirsts: string[];
  private readonly pageParts: Buffer[];
  private readonly pagesRead: boolean[];
  private unread: number;
  private readonly families = new Map<string, StoredFamily>();
  private readonly mayHold: (parent: string) => boolean;

  constructor(
    body: Buffer,
    private readonly position: number,
  ) {
    const indexLength = body.readUInt32BE(4);
    let offset = 8 + indexLength;
    const index = parsePart<SnapshotIndex>(body.subarray(8, offset), position);
    const part = (length: number) => body.subarray(offset, (offset += length));
    this.pageFirsts = index.pages.map(([first]) => first);
    this.pageParts = index.pages.map(([, length]) => part(length));
    this.pagesRead = this.pageFirsts.map(() => false);
    this.unread = this.pageFirsts.length;
    this.sections = index.sections.map(([deflated, length]) => new Section(part(deflated), length, position));
    if (offset !== body.length) throw new Error('snapshot parts do not add up to its index');
    this.deleted = index.deleted;
    this.mayHold = index.parents === undefined ? () => true : parentFilterTest(index.parents);
  }

  family(parent: string): StoredFamily | undefined {
    // Most questions are about families the snapshot does not hold: its filter answers them first.
    if (!this.mayHold(parent)) return undefined;
    const known = this.families.get(parent);
    if (known || this.unread === 0) return known;
    // The last page whose first parent is at or before this one.
    let low = 0;
    let high = this.pageFirsts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.pageFirsts[middle]! <= parent) low = middle;
      else high = middle - 1;
    }
    if (high < 0 || this.pageFirsts[low]! > parent) return undefined;
    this.readPage(low);
    return this.families.get(parent);
  }

  *parents(): Iterable<string> {
    for (let page = 0; page < this.pageFirsts.length; page += 1) this.readPage(page);
    yield* this.families.keys();
  }

  private readPage(page: number): void {
    if (this.pagesRead[page]) return;
    const families = parsePart<HeaderFamily[]>(this.pageParts[page]!, this.position);
    for (const [parent, section, start, leaves, positions, bytes] of families)
      this.families.set(parent, placeFamily(leaves, positions, bytes, this.sections, section, start, this.position));
    this.pagesRead[page] = true;
    this.unread -= 1;
  }
}

/** A family as a snapshot written before the paged form lists it: [parent, section, leaves, positions, body lengths]. */
type FirstFormFamily = readonly [string, number, readonly string[], readonly number[], readonly number[]];

/**
 * A snapshot written before the paged form: the header's length (4 bytes), the header deflated
 * (each section's deflated length, every family, each section's bodies in the families' order,
 * and the deleted ids), then the sections. Read whole on opening.
 */
function openFirstForm(body: Buffer, position: number): OpenedSnapshot {
  const headLength = body.readUInt32BE(0);
  const header = JSON.parse(inflateSync(body.subarray(4, 4 + headLength)).toString('utf8')) as {
    sections: number[];
    families: FirstFormFamily[];
    deleted: string[];
  };
  const sizes = header.sections.map(() => 0);
  // A section's length is that of the bodies of the families in it, which come in the header's order.
  const starts = header.families.map(([, index, , , bytes]) => {
    if (!(index in sizes)) throw new DamagedSnapshotError(position);
    const start = sizes[index]!;
    sizes[index] = start + bytes.reduce((sum, length) => sum + length, 0);
    return start;
  });
  let offset = 4 + headLength;
  const sections = header.sections.map(
    (deflated, i) => new Section(body.subarray(offset, (offset += deflated)), sizes[i]!, position),
  );
  if (offset !== body.length) throw new Error('snapshot sections do not add up to its header');
  const families = new Map<string, StoredFamily>(
    header.families.map(([parent, index, leaves, positions, bytes], f) => [
      parent,
      placeFamily(leaves, positions, bytes, [sections[index]!], 0, starts[f]!, position),
    ]),
  );
  return { family: (parent) => families.get(parent), parents: () => families.keys(), deleted: header.deleted };
}

/**
 * Opens a stored snapshot: a page of its families is read when one of them is first asked for,
 * a section inflated when the first body of it is read (a DamagedSnapshotError if either cannot
 * be, `position` naming the row). Throws on an index or header that cannot be read.
 */
export function openSnapshot(body: Buffer, position: number): OpenedSnapshot {
  return body.readUInt32BE(0) === PAGED_FORM ? new PagedSnapshot(body, position) : openFirstForm(body, position);
}

/** A snapshot's content read whole: its views (those of one parent path together) and the ids it deletes. */
export function decodeSnapshot(body: Buffer): { views: StoredView[]; deleted: readonly string[] } {
  const opened = openSnapshot(body, 0);
  const views: StoredView[] = [];
  for (const parent of opened.parents()) {
    const family = opened.family(parent)!;
    for (let i = 0; i < family.leaves.length; i += 1) {
      const view = viewOf(parent, family, i);
      views.push({ odataId: view.odataId, body: view.body, position: view.position });
    }
  }
  return { views, deleted: opened.deleted };
}
