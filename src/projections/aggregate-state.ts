import type { Decider } from '../domain/decider.js';
import type { ViewWriter } from '../eventstore/projector.js';

/**
 * Where a projector keeps an aggregate's state beside the documents it renders from it: a view
 * row under a key no request path can name (a URI fragment is never sent), so rebuild and replay
 * produce it like any view, and the documents follow the decider's own `evolve`.
 */
export const stateKey = (streamId: string) => `#state${streamId}`;

export function evolveStoredState<Command, Event extends { type: string; data: unknown }, State>(
  views: ViewWriter,
  position: number,
  streamId: string,
  decider: Decider<Command, Event, State>,
  event: Event,
): State {
  const key = stateKey(streamId);
  const previous = (views.get(key)?.['state'] as State | undefined) ?? decider.initialState;
  const next = decider.evolve(previous, event);
  views.put({ '@odata.id': key, state: next as unknown }, position);
  return next;
}

/** Stores `document` only when it differs from what is there, so its ETag moves only on change. */
export function putIfChanged(views: ViewWriter, position: number, document: Record<string, unknown>): void {
  const body = JSON.stringify(document);
  if (views.serialized(document['@odata.id'] as string) === body) return;
  views.put(document, position, body);
}

/** An aggregate's state as a projector earlier in the catalog stored it with evolveStoredState. */
export function storedState<State>(views: Pick<ViewWriter, 'get'>, streamId: string): State | undefined {
  return views.get(stateKey(streamId))?.['state'] as State | undefined;
}
