import type { Decider } from '../domain/decider.js';
import { isProblem } from '../domain/decider.js';
import type { RedfishProblem } from '../domain/problem.js';
import type { AppendResult, EventMeta, NewEvent } from './event.js';
import type { EventStore } from './event-store.js';

export type CommandOutcome<Event> =
  | { readonly ok: true; readonly events: readonly Event[]; readonly result?: AppendResult }
  | { readonly ok: false; readonly problem: RedfishProblem };

/**
 * The one path from a command to the log: fold the stream into state, decide, append what was
 * decided with the version the decision saw. If another writer got in between, the append
 * conflicts and nothing is written; the caller may retry with fresh state.
 */
export function executeCommand<Command, Event extends { type: string; data: unknown }, State>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  meta?: EventMeta,
): CommandOutcome<Event> {
  const history = store.readStream(streamId);
  const state = history.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as Event), decider.initialState);
  const decided = decider.decide(command, state);
  if (isProblem(decided)) return { ok: false, problem: decided };
  if (decided.length === 0) return { ok: true, events: decided };
  const expectedVersion = history.at(-1)?.streamVersion ?? 0;
  const result = store.append({ streamId, expectedVersion, events: decided as readonly NewEvent[], meta });
  return { ok: true, events: decided, result };
}
