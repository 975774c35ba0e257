import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { systemDecider } from '../../domain/system/system-decider.js';
import { RESET_TYPES, systemStream } from '../../domain/system/system-events.js';
import { actionParameters, enumParameter } from '../action-body.js';
import { resourceMissing } from '../redfish-error.js';
import { executeRequest } from '../execute-request.js';

const ACTION = 'ComputerSystem.Reset';

/**
 * POST …/Actions/ComputerSystem.Reset: checked, decided, recorded as ResetRequested, answered
 * 204 as a BMC does; the reconciler carries it out on the domain right after.
 */
export function registerResetRoute(app: FastifyInstance, store: EventStore): void {
  const url = '/redfish/v1/Systems/:systemId/Actions/ComputerSystem.Reset';
  app.post<{ Params: { systemId: string } }>(url, async (request, reply) => {
    const stream = systemStream(request.params.systemId);
    if (!store.views.get(stream)) throw resourceMissing(request.url.split('?')[0]!);
    const parameters = actionParameters(request.body, ACTION, ['ResetType']);
    const resetType = enumParameter(parameters, ACTION, 'ResetType', RESET_TYPES);
    executeRequest(store, stream, systemDecider, { type: 'ResetSystem', resetType }, request);
    return reply.status(204).send();
  });
}
