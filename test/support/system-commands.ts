import { systemDecider, type SystemCommand, type SystemState } from '../../src/domain/system/system-decider.js';
import type { SystemEvent } from '../../src/domain/system/system-events.js';

/** Decides each command on the state the previous ones left, as the store does (from `state`, the initial one by default). */
export function runSystemCommands(commands: SystemCommand[], state: SystemState = systemDecider.initialState): { events: SystemEvent[]; state: SystemState } {
  const events: SystemEvent[] = [];
  for (const command of commands) {
    const decided = systemDecider.decide(command, state);
    if (!Array.isArray(decided)) throw new Error(`refused: ${JSON.stringify(decided)}`);
    for (const event of decided as SystemEvent[]) {
      events.push(event);
      state = systemDecider.evolve(state, event);
    }
  }
  return { events, state };
}
