import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { executeClientCommand } from '../../eventstore/execute-command.js';
import { clientOrigin } from '../client-origin.js';
import { systemDecider } from '../../domain/system/system-decider.js';
import { RESET_TYPES, systemStream } from '../../domain/system/system-events.js';
import type { AllowedMethods } from '../allowed-methods.js';
import { actionParameters, enumParameter } from '../action-body.js';
import { RedfishHttpError } from '../redfish-error.js';

const ACTION = 'ComputerSystem.Reset';

/**
 * POST …/Actions/ComputerSystem.Reset: checked, decided, recorded as ResetRequested, answered
 * 204 as a BMC does; the reconciler carries it out on the domain right after.
 */
export function registerResetRoute(app: FastifyInstance, allowed: AllowedMethods, store: EventStore): void {
  const url = '/redfish/v1/Systems/:systemId/Actions/ComputerSystem.Reset';
  allowed.declare(url, ['POST']);
  app.post<{ Params: { systemId: string } }>(url, async (request, reply) => {
    const stream = systemStream(request.params.systemId);
    if (!store.views.get(stream)) throw RedfishHttpError.of(404, 'ResourceMissingAtURI', [request.url.split('?')[0]!]);
    const parameters = actionParameters(request.body, ACTION, ['ResetType']);
    const resetType = enumParameter(parameters, ACTION, 'ResetType', RESET_TYPES);
    const outcome = executeClientCommand(
      store,
      stream,
      systemDecider,
      { type: 'ResetSystem', resetType },
      clientOrigin(request),
    );
    if (!outcome.ok) throw RedfishHttpError.fromProblems([outcome.problem]);
    return reply.status(204).send();
  });
}
