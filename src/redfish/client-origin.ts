import type { CommandOrigin } from '../eventstore/execute-command.js';

/** Who sent a request's command: the authenticated user (anonymous when auth is off) and the request id. */
export function clientOrigin(request: { readonly actor?: string; readonly id: string }): CommandOrigin {
  return { actor: request.actor ?? 'anonymous', requestId: request.id };
}
