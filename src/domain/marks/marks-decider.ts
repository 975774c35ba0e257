import type { Decider } from '../decider.js';
import { problem, type RedfishProblem } from '../problem.js';

/**
 * Marks name points of the log, so a scenario can be "everything between mark a and mark b"
 * rather than a pair of positions someone had to look up.
 */
export const MARKS_STREAM = '/emulator/v1/Marks';

export interface PlaceMark {
  readonly type: 'PlaceMark';
  readonly name: string;
}

export interface MarkPlaced {
  readonly type: 'MarkPlaced';
  readonly data: { readonly name: string };
}

export interface MarksState {
  readonly names: ReadonlySet<string>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A mark's name is unique in the log: an export between marks must not have to guess which one. */
export const marksDecider: Decider<PlaceMark, MarkPlaced, MarksState> = {
  initialState: { names: new Set() },
  decide(command, state): readonly MarkPlaced[] | RedfishProblem {
    if (!NAME.test(command.name)) return problem(400, 'PropertyValueFormatError', [command.name, 'name'], ['/name']);
    if (state.names.has(command.name))
      return problem(409, 'ResourceAlreadyExists', ['Mark', 'name', command.name], ['/name']);
    return [{ type: 'MarkPlaced', data: { name: command.name } }];
  },
  evolve(state, event) {
    return { names: new Set([...state.names, event.data.name]) };
  },
};
