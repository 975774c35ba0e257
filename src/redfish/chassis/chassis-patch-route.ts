import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { systemDecider } from '../../domain/system/system-decider.js';
import { systemStream } from '../../domain/system/system-events.js';
import { chassisOf } from '../../projections/manager-and-chassis.js';
import { CLAIMED_PROPERTIES } from '../claimed-properties.js';
import { executeRequest } from '../execute-request.js';
import { patchView } from '../patch-view.js';

/**
 * PATCH /redfish/v1/Chassis/{id}: the locator light, which is the machine's one light, so a
 * command to the system the chassis holds (its id is the system's). If-Match honoured.
 */
export function registerChassisPatchRoute(app: FastifyInstance, store: EventStore): void {
  app.patch<{ Params: { chassisId: string } }>('/redfish/v1/Chassis/:chassisId', async (request, reply) => {
    const { chassisId } = request.params;
    return patchView(store, chassisOf(chassisId), request, reply, CLAIMED_PROPERTIES.Chassis, (body) => {
      const active = body['LocationIndicatorActive'];
      if (typeof active !== 'boolean') return;
      const command = { type: 'PatchSystem', led: active ? 'Blinking' : 'Off' } as const;
      executeRequest(store, systemStream(chassisId), systemDecider, command, request);
    });
  });
}
