import type { CommandOrigin, RefusedCommand } from '../eventstore/execute-command.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The command of this request its aggregate refused, for the record of the refusal (refusal-recorder.ts). */
    refusedCommand?: RefusedCommand;
  }
}

/** Who sent a request's command: the authenticated user (anonymous when auth is off) and the request id. */
export function clientOrigin(request: {
  readonly actor?: string;
  readonly id: string;
  refusedCommand?: RefusedCommand;
}): CommandOrigin {
  return {
    actor: request.actor ?? 'anonymous',
    requestId: request.id,
    onRefused: (refused) => {
      request.refusedCommand = refused;
    },
  };
}
