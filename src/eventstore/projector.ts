import type { RecordedEvent } from './event.js';

/**
 * A Redfish document as stored by the projections: the JSON text a GET returns, and the global
 * event position that last changed it (the ETag is derived from that position).
 */
export interface StoredView {
  readonly odataId: string;
  /** The Redfish JSON document, serialised once when it was projected. */
  readonly body: string;
  readonly position: number;
}

/** A Redfish document as projectors handle it: a plain JSON object. */
export type ViewDocument = Record<string, unknown>;

/**
 * Where projectors read and write views. Live appends use the SQLite view table inside the
 * append's transaction; rebuild and replay use an in-memory table written out at the end.
 * Documents handed out by `get` belong to the caller until it `put`s them back.
 */
export interface ViewWriter {
  get(odataId: string): ViewDocument | undefined;
  /** The document as stored (its JSON), for comparing without parsing it. */
  serialized(odataId: string): string | undefined;
  /** Whether there is a view under the id, without reading it. */
  exists(odataId: string): boolean;
  /** The ids of every view whose id begins with `prefix`, in no particular order. */
  idsWithPrefix(prefix: string): string[];
  /**
   * Stores the document under its own `@odata.id`, stamped with the event's position. `body`,
   * when the caller has made it, is JSON.stringify(document), so it is not made twice.
   */
  put(document: ViewDocument, position: number, body?: string): void;
  delete(odataId: string): void;
}

/**
 * Turns events into views. Projectors are stateless and deterministic: the same events in the
 * same order give the same documents, byte for byte, which is what makes rebuild and replay
 * trustworthy. Never read the clock here; use the event's recordedAt.
 */
export interface Projector {
  readonly name: string;
  apply(event: RecordedEvent, views: ViewWriter): void;
}

export function odataIdOf(document: ViewDocument): string {
  const id = document['@odata.id'];
  if (typeof id !== 'string') throw new Error('a view document must have a string @odata.id');
  return id;
}

/**
 * Where an append projects inline: the store writes through `writer` inside the append's
 * transaction, calls `flush` before committing it, then says whether it committed or rolled back. Readers of the store's views
 * (GETs) read them through `get`; `invalidate` forgets what was cached after a rewrite.
 */
export interface InlineViews {
  readonly writer: ViewWriter;
  get(odataId: string): StoredView | undefined;
  /** How many views there are, as committed. */
  count(): number;
  /** Stores what `writer` was given, inside the transaction: the last thing before it commits. */
  flush(): void;
  commit(): void;
  rollback(): void;
  invalidate(): void;
}

/** The views of a store opened only to read or append its log: it projects nothing. */
export const NO_VIEWS: InlineViews = {
  writer: {
    get: () => undefined,
    serialized: () => undefined,
    exists: () => false,
    idsWithPrefix: () => [],
    put: () => {
      throw new Error('this store was opened without views: give it the views its projectors write');
    },
    delete: () => undefined,
  },
  get: () => undefined,
  count: () => 0,
  flush: () => undefined,
  commit: () => undefined,
  rollback: () => undefined,
  invalidate: () => undefined,
};
