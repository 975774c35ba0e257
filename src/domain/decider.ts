import type { RedfishProblem } from './problem.js';

/**
 * The decider pattern, one per aggregate: `decide` turns a command into the events it causes (or
 * a problem explaining why it is refused) given the aggregate's current state, and `evolve` folds
 * an event into the state. Both are pure: no I/O, no clock, no randomness. Anything of that kind
 * a decision needs (the time, a new id) arrives inside the command.
 */
export interface Decider<Command, Event, State> {
  readonly initialState: State;
  decide(command: Command, state: State): readonly Event[] | RedfishProblem;
  evolve(state: State, event: Event): State;
}

export function isProblem<T>(value: T | RedfishProblem): value is RedfishProblem {
  return typeof value === 'object' && value !== null && (value as RedfishProblem).kind === 'problem';
}
