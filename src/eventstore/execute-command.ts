import type { Decider } from '../domain/decider.js';
import { isProblem } from '../domain/decider.js';
import type { RedfishProblem } from '../domain/problem.js';
import type { AppendResult, EventMeta, NewEvent, RecordedCommand } from './event.js';
import type { EventStore } from './event-store.js';

export type CommandOutcome<Event> =
  | { readonly ok: true; readonly events: readonly Event[]; readonly result?: AppendResult }
  | { readonly ok: false; readonly problem: RedfishProblem };

interface FoldedState {
  readonly decider: unknown;
  readonly state: unknown;
  readonly version: number;
}

/**
 * The states folded so far, per store and stream. Events never change once written and states
 * are never mutated (evolve makes new ones), so a folded state stays true: the next load reads
 * only the events after it, whoever appended them (another process included).
 */
const folded = new WeakMap<EventStore, Map<string, FoldedState>>();

/** An aggregate's current state, folded from its stream, and the stream version it reflects. */
export function loadState<Command, Event extends { type: string; data: unknown }, State>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, Event, State>,
): { state: State; version: number } {
  let cache = folded.get(store);
  if (!cache) folded.set(store, (cache = new Map()));
  const known = cache.get(streamId);
  const from = known?.decider === decider ? known : { decider, state: decider.initialState, version: 0 };
  // A stream that did not move since it was folded is not read again (the reconcilers load ten thousand a round).
  if (from === known && store.knownStreamVersion(streamId) === known.version)
    return { state: known.state as State, version: known.version };
  const newer = store.readStream(streamId, from.version);
  const state = newer.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as Event), from.state as State);
  const version = newer.at(-1)?.streamVersion ?? from.version;
  cache.set(streamId, { decider, state, version });
  return { state, version };
}

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
  const { state, version } = loadState(store, streamId, decider);
  const decided = decider.decide(command, state);
  if (isProblem(decided)) return { ok: false, problem: decided };
  if (decided.length === 0) return { ok: true, events: decided };
  const result = store.append({ streamId, expectedVersion: version, events: decided as readonly NewEvent[], meta });
  return { ok: true, events: decided, result };
}

/** Who sent a client's command: the authenticated actor, and the request (or CLI run) it came in. */
export interface CommandOrigin {
  readonly actor: string;
  readonly requestId?: string;
  /** Told of a command the decider refused, so the refusal can be recorded with it (and replayed). */
  readonly onRefused?: (refused: RefusedCommand) => void;
}

/** A client's command that its aggregate refused, and the stream it was sent to. */
export interface RefusedCommand {
  readonly streamId: string;
  readonly command: RecordedCommand;
}

/**
 * A command a client sent, decided like any other, with the command itself kept in the meta of
 * the events it causes: a scenario (src/scenario/) replays a client's commands, not their
 * events, so a replay decides again on the state it has and its reconciler does the work again.
 */
export function executeClientCommand<
  Command extends { type: string },
  Event extends { type: string; data: unknown },
  State,
>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  origin: CommandOrigin,
): CommandOutcome<Event> {
  const { onRefused, ...who } = origin;
  const recorded = command as unknown as RecordedCommand;
  const outcome = executeCommand(store, streamId, decider, command, { ...who, command: recorded });
  if (!outcome.ok) onRefused?.({ streamId, command: recorded });
  return outcome;
}
