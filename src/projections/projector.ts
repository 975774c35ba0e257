import type { RecordedEvent } from '../eventstore/event.js';

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
