import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { checkBiosAttributes, type BiosValue } from '../../domain/system/bios-attributes.js';
import { systemDecider, type SystemCommand } from '../../domain/system/system-decider.js';
import { systemStream } from '../../domain/system/system-events.js';
import { actionParameters } from '../action-body.js';
import { etagOf } from '../etag.js';
import { requireIfMatch } from '../patch-preconditions.js';
import { readPatchBody } from '../patch-body.js';
import { CLAIMED_PROPERTIES } from '../claimed-properties.js';
import { RedfishHttpError, resourceMissing } from '../redfish-error.js';
import { executeRequest } from '../execute-request.js';

/**
 * PATCH …/Bios/Settings ({"Attributes": {…}}, applied at the next boot, as on a real server)
 * and POST …/Bios/Actions/Bios.ResetBios.
 */
export function registerBiosRoutes(app: FastifyInstance, store: EventStore): void {
  const settingsUrl = '/redfish/v1/Systems/:systemId/Bios/Settings';
  const resetUrl = '/redfish/v1/Systems/:systemId/Bios/Actions/Bios.ResetBios';

  const execute = (systemId: string, command: SystemCommand, request: { actor?: string; id: string }) => {
    executeRequest(store, systemStream(systemId), systemDecider, command, request);
  };
  const known = (systemId: string, url: string) => {
    if (!store.views.get(`${systemStream(systemId)}/Bios`)) throw resourceMissing(url.split('?')[0]!);
  };

  app.patch<{ Params: { systemId: string } }>(settingsUrl, async (request, reply) => {
    const { systemId } = request.params;
    known(systemId, request.url);
    const settings = `${systemStream(systemId)}/Bios/Settings`;
    const view = store.views.get(settings)!;
    requireIfMatch(request.headers, view);
    const { Attributes: attributes } = readPatchBody(request.body, JSON.parse(view.body), CLAIMED_PROPERTIES.Bios);
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
      throw RedfishHttpError.of(400, 'PropertyMissing', ['Attributes'], ['/Attributes']);
    }
    const problems = checkBiosAttributes(attributes as Record<string, unknown>);
    if (problems.length > 0) throw RedfishHttpError.fromProblems(problems);
    execute(systemId, { type: 'SetBiosSettings', attributes: attributes as Record<string, BiosValue> }, request);
    const updated = store.views.get(settings)!;
    return reply.header('ETag', etagOf(updated)).type('application/json; charset=utf-8').send(updated.body);
  });

  app.post<{ Params: { systemId: string } }>(resetUrl, async (request, reply) => {
    known(request.params.systemId, request.url);
    actionParameters(request.body, 'Bios.ResetBios', []);
    execute(request.params.systemId, { type: 'ResetBios' }, request);
    return reply.status(204).send();
  });
}
