import { isProblem, type Decider } from '../../src/domain/decider.js';
import type { RedfishProblem } from '../../src/domain/problem.js';

/**
 * Given–when–then for a decider, as the store runs it: the `given` commands are decided each on
 * the state the previous ones left (a refusal among them fails the test: it is a setup mistake),
 * then `when` is decided on the resulting state.
 */
export function given<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  commands: readonly Command[],
  from: State = decider.initialState,
): { events: Event[]; state: State } {
  let state = from;
  const events: Event[] = [];
  for (const command of commands) {
    const decided = decider.decide(command, state);
    if (isProblem(decided)) throw new Error(`given ${JSON.stringify(command)} was refused: ${JSON.stringify(decided)}`);
    for (const event of decided) {
      events.push(event);
      state = decider.evolve(state, event);
    }
  }
  return { events, state };
}

/** What `when` decides after the `given` commands: its events, or the problem that refuses it. */
export function givenWhen<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  commands: readonly Command[],
  when: Command,
  from: State = decider.initialState,
): readonly Event[] | RedfishProblem {
  return decider.decide(when, given(decider, commands, from).state);
}
