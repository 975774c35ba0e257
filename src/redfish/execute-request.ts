import type { Decider } from '../domain/decider.js';
import type { EventStore } from '../eventstore/event-store.js';
import { type CommandOutcome, executeClientCommand } from '../eventstore/execute-command.js';
import { clientOrigin } from './client-origin.js';
import { RedfishHttpError } from './redfish-error.js';

type Accepted<Event> = Extract<CommandOutcome<Event>, { ok: true }>;

/** A command's outcome when its aggregate accepted it; its refusal is thrown, as the route's DMTF error. */
export function accepted<Event>(outcome: CommandOutcome<Event>): Accepted<Event> {
  if (!outcome.ok) throw RedfishHttpError.fromProblems([outcome.problem]);
  return outcome;
}

/** A request's command, decided and appended as the client's (its refusal recorded with the request), or thrown. */
export function executeRequest<Command extends { type: string }, Event extends { type: string; data: unknown }, State>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  request: Parameters<typeof clientOrigin>[0],
): Accepted<Event> {
  return accepted(executeClientCommand(store, streamId, decider, command, clientOrigin(request)));
}
