import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { systemDecider } from '../../domain/system/system-decider.js';
import { systemStream } from '../../domain/system/system-events.js';
import { secureBootOf } from '../../projections/secure-boot.js';
import { etagOf } from '../etag.js';
import { requireIfMatch } from '../patch-preconditions.js';
import { readPatchBody } from '../patch-body.js';
import { CLAIMED_PROPERTIES } from '../claimed-properties.js';
import { resourceMissing } from '../redfish-error.js';
import { resourcePath } from '../server.js';
import { executeRequest } from '../execute-request.js';

/**
 * PATCH …/SecureBoot: SecureBootEnable, for UEFI systems, taking effect at the next boot
 * (SecureBootCurrentBoot follows then). If-Match honoured; the other properties are read-only.
 */
export function registerSecureBootRoute(app: FastifyInstance, store: EventStore): void {
  app.patch<{ Params: { systemId: string } }>('/redfish/v1/Systems/:systemId/SecureBoot', async (request, reply) => {
    const stream = systemStream(request.params.systemId);
    const id = secureBootOf(stream);
    const view = store.views.get(id);
    if (!view) throw resourceMissing(resourcePath(request.url));
    requireIfMatch(request.headers, view);
    const body = readPatchBody(request.body, JSON.parse(view.body), CLAIMED_PROPERTIES.SecureBoot);
    const enabled = body['SecureBootEnable'] as boolean | undefined;
    if (enabled !== undefined) {
      executeRequest(store, stream, systemDecider, { type: 'SetSecureBoot', enabled }, request);
    }
    const updated = store.views.get(id)!;
    return reply.header('ETag', etagOf(updated)).type('application/json; charset=utf-8').send(updated.body);
  });
}
