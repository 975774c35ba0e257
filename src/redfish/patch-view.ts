import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventStore } from '../eventstore/event-store.js';
import { etagOf } from './etag.js';
import { readPatchBody } from './patch-body.js';
import { requireIfMatch } from './patch-preconditions.js';
import { resourceMissing } from './redfish-error.js';

/**
 * A PATCH of a resource kept as a view: 404 when there is none, If-Match honoured (412), the body
 * read against its schema and the properties the emulator claims for it, `apply` turning what
 * the body holds into commands, and the resource answered as it now is, with its ETag.
 */
export function patchView(
  store: EventStore,
  id: string,
  request: FastifyRequest,
  reply: FastifyReply,
  claimed: readonly string[],
  apply: (body: Record<string, unknown>) => void,
): FastifyReply {
  const view = store.views.get(id);
  if (!view) throw resourceMissing(id);
  requireIfMatch(request.headers, view);
  apply(readPatchBody(request.body, JSON.parse(view.body), claimed));
  const updated = store.views.get(id)!;
  return reply.header('ETag', etagOf(updated)).type('application/json; charset=utf-8').send(updated.body);
}
