import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { systemDecider } from '../../domain/system/system-decider.js';
import { systemStream } from '../../domain/system/system-events.js';
import { chassisOf } from '../../projections/manager-and-chassis.js';
import { CLAIMED_PROPERTIES } from '../claimed-properties.js';
import { etagOf } from '../etag.js';
import { executeRequest } from '../execute-request.js';
import { readPatchBody } from '../patch-body.js';
import { requireIfMatch } from '../patch-preconditions.js';
import { resourceMissing } from '../redfish-error.js';

/**
 * PATCH /redfish/v1/Chassis/{id}: the locator light, which is the machine's one light, so a
 * command to the system the chassis holds (its id is the system's). If-Match honoured.
 */
export function registerChassisPatchRoute(app: FastifyInstance, store: EventStore): void {
  app.patch<{ Params: { chassisId: string } }>('/redfish/v1/Chassis/:chassisId', async (request, reply) => {
    const { chassisId } = request.params;
    const id = chassisOf(chassisId);
    const view = store.views.get(id);
    if (!view) throw resourceMissing(id);
    requireIfMatch(request.headers, view);
    const body = readPatchBody(request.body, JSON.parse(view.body), CLAIMED_PROPERTIES.Chassis);
    const active = body['LocationIndicatorActive'];
    if (typeof active === 'boolean')
      executeRequest(
        store,
        systemStream(chassisId),
        systemDecider,
        { type: 'PatchSystem', led: active ? 'Blinking' : 'Off' },
        request,
      );
    const updated = store.views.get(id)!;
    return reply.header('ETag', etagOf(updated)).type('application/json; charset=utf-8').send(updated.body);
  });
}
