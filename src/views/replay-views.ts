import { odataIdOf, type ViewDocument, type ViewWriter } from '../eventstore/projector.js';
import type { StoredView } from '../eventstore/projector.js';
import { ASSEMBLED_COLLECTIONS, assembleCollection, memberPartPrefix } from './assembled-collections.js';
import { idsWithChanges } from './ids-with-changes.js';
import { parentOf } from './snapshot-encoding.js';

interface Entry {
  /** The document as a projector last had it; parsed from `body` on first use. */
  document?: ViewDocument;
  /** Its JSON text: from a snapshot, given with it, or serialised once when asked for; kept until handed out. */
  body?: string;
  readonly position: number;
}

/** The views a replay starts from (a snapshot's, or none), shared and never changed. */
export interface BaseViews {
  readonly size: number;
  has(odataId: string): boolean;
  get(odataId: string): StoredView | undefined;
  keys(): Iterable<string>;
  /** The ids of the views under a parent path, where the base knows them without a look through every id. */
  idsUnder?(parent: string): string[];
}

/**
 * Views in memory for a replay up to a past position (time travel), as MemoryViews holds them
 * for a rebuild: `get` hands out the document itself, which the projector changes and puts back.
 *
 * A replay from a snapshot starts on the snapshot's views, shared and left unchanged: a view is
 * copied out of it when first read, so a restore costs nothing per view, and its JSON is parsed
 * then (with its few siblings still unread, at once, which costs half as much). A document's
 * text is kept once made or given with it, until the document is handed out again, so a
 * projector comparing a document with the stored one (putIfChanged) serialises that one once,
 * not at every event. It notes which views changed since `takeChanged`, for delta snapshots.
 */
export class ReplayViews implements ViewWriter {
  /** Views read, put or deleted (null) since the replay began; the rest are as in `base`. */
  private readonly entries = new Map<string, Entry | null>();
  private changed = new Set<string>();
  /** The snapshot's ids by parent path (a collection's members, a log's entries), made when first needed. */
  private families?: Map<string, string[]>;

  /** Views put less views deleted, beyond the base's. */
  private added = 0;

  constructor(private readonly base: BaseViews = new Map<string, StoredView>()) {}

  private has(odataId: string): boolean {
    const entry = this.entries.get(odataId);
    return entry === undefined ? this.base.has(odataId) : entry !== null;
  }

  private entry(odataId: string): Entry | undefined {
    const entry = this.entries.get(odataId);
    if (entry !== undefined) return entry ?? undefined;
    const view = this.base.get(odataId);
    if (!view) return undefined;
    const copied: Entry = { body: view.body, position: view.position };
    this.entries.set(odataId, copied);
    return copied;
  }

  get(odataId: string): ViewDocument | undefined {
    const entry = this.entry(odataId);
    if (!entry) return undefined;
    if (entry.document === undefined) this.parseFamily(odataId);
    // The caller may change it before putting it back: the text may no longer be its own.
    entry.body = undefined;
    return entry.document;
  }

  /**
   * Parses a view read from the snapshot together with its siblings still unread, in one
   * JSON.parse, when they are few (a system's documents, the systems): a replay that reads one
   * tends to read them all, and one parse of many documents costs about half of parsing each
   * alone. A large family (a log's 500 entries, the tasks) is read a few members at a time, so
   * its members are parsed one by one.
   */
  private parseFamily(odataId: string): void {
    const family = this.idsUnder(parentOf(odataId));
    const pending: Entry[] = [];
    for (const id of family && family.length <= FAMILY_PARSED_TOGETHER ? family : [odataId]) {
      const entry = this.entries.get(id) === undefined ? this.entry(id) : this.entries.get(id);
      if (entry && entry.document === undefined && entry.body !== undefined) pending.push(entry);
    }
    const documents = (
      pending.length === 1
        ? [JSON.parse(pending[0]!.body!)]
        : JSON.parse(`[${pending.map((entry) => entry.body).join(',')}]`)
    ) as ViewDocument[];
    pending.forEach((entry, i) => (entry.document = documents[i]));
  }

  private idsUnder(parent: string): string[] | undefined {
    if (this.base.idsUnder) return this.base.idsUnder(parent);
    if (!this.families) {
      this.families = new Map();
      for (const id of this.base.keys()) {
        const members = this.families.get(parentOf(id));
        if (members) members.push(id);
        else this.families.set(parentOf(id), [id]);
      }
    }
    return this.families.get(parent);
  }

  serialized(odataId: string): string | undefined {
    const entry = this.entry(odataId);
    if (!entry) return undefined;
    return (entry.body ??= JSON.stringify(entry.document));
  }

  exists(odataId: string): boolean {
    return this.has(odataId);
  }

  idsWithPrefix(prefix: string): string[] {
    // A prefix ending in '/' is a parent path: the snapshot lists its children without a look through every id.
    const fromBase = prefix.endsWith('/') ? (this.idsUnder(prefix) ?? []) : this.base.keys();
    return idsWithChanges(fromBase, this.entries, prefix);
  }

  put(document: ViewDocument, position: number, body?: string): void {
    const odataId = odataIdOf(document);
    if (!this.has(odataId)) this.added += 1;
    this.entries.set(odataId, body === undefined ? { document, position } : { document, body, position });
    this.changed.add(odataId);
  }

  delete(odataId: string): void {
    if (this.has(odataId)) this.added -= 1;
    this.entries.set(odataId, null);
    this.changed.add(odataId);
  }

  /** One view as the table would hold it: its JSON text and the position that last changed it. */
  view(odataId: string): StoredView | undefined {
    const entry = this.entry(odataId);
    return entry && { odataId, body: this.serialized(odataId)!, position: entry.position };
  }

  /** One view as GET reads it: an assembled collection with its members (`view` gives it as stored). */
  read(odataId: string): StoredView | undefined {
    const view = this.view(odataId);
    if (!view || !ASSEMBLED_COLLECTIONS.has(odataId)) return view;
    const parts = this.idsWithPrefix(memberPartPrefix(odataId)).map((partId) => ({
      odataId: partId,
      position: this.entry(partId)!.position,
    }));
    return assembleCollection(view, parts);
  }

  /**
   * Reads every body still taken from the snapshot (a snapshot's bodies are read as they are
   * asked for), so the views can be handed out whole; returns them.
   */
  readAll(): this {
    for (const odataId of this.base.keys()) if (!this.entries.has(odataId)) void this.base.get(odataId)!.body;
    return this;
  }

  private ids(): string[] {
    const ids = new Set(this.base.keys());
    for (const [odataId, entry] of this.entries) {
      if (entry) ids.add(odataId);
      else ids.delete(odataId);
    }
    return [...ids];
  }

  get size(): number {
    return this.base.size + this.added;
  }

  /** Every view, hidden state ('#' keys) included, in @odata.id order as the table lists them. */
  rows(): StoredView[] {
    return this.ids()
      .sort(compareIds)
      .map((odataId) => this.view(odataId)!);
  }

  /** The ids of the views put or deleted since the last call (or since the start). */
  takeChanged(): ReadonlySet<string> {
    const changed = this.changed;
    this.changed = new Set();
    return changed;
  }

  /** The views of `ids` as they stand, in @odata.id order, and those of the ids that name none. */
  current(ids: Iterable<string>): { views: StoredView[]; deleted: string[] } {
    const views: StoredView[] = [];
    const deleted: string[] = [];
    for (const odataId of [...ids].sort(compareIds)) {
      const view = this.view(odataId);
      if (view) views.push(view);
      else deleted.push(odataId);
    }
    return { views, deleted };
  }
}

/** The most siblings parsed together with a view read from the snapshot. */
const FAMILY_PARSED_TOGETHER = 32;

/** SQLite's BINARY order for ASCII ids, which is what @odata.ids are. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
