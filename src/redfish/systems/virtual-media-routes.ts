import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { executeClientCommand } from '../../eventstore/execute-command.js';
import { clientOrigin } from '../client-origin.js';
import { systemDecider, type SystemCommand } from '../../domain/system/system-decider.js';
import { MEDIA_DEVICES, systemStream, type MediaDevice } from '../../domain/system/system-events.js';
import type { AllowedMethods } from '../allowed-methods.js';
import { actionParameters } from '../action-body.js';
import { RedfishHttpError } from '../redfish-error.js';
import { resourcePath } from '../server.js';

const INSERT = 'VirtualMedia.InsertMedia';
const INSERT_PARAMETERS = ['Image', 'Inserted', 'WriteProtected', 'TransferMethod', 'TransferProtocolType', 'UserName', 'Password'];

/** The image URL of an InsertMedia request: required, http or https (what the emulator can fetch). */
function imageOf(parameters: Record<string, unknown>): string {
  const image = parameters['Image'];
  if (image === undefined) throw RedfishHttpError.of(400, 'ActionParameterMissing', [INSERT, 'Image'], ['/Image']);
  if (typeof image !== 'string') throw RedfishHttpError.of(400, 'ActionParameterValueTypeError', [JSON.stringify(image), 'Image', INSERT], ['/Image']);
  let url: URL | undefined;
  try {
    url = new URL(image);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw RedfishHttpError.of(400, 'ActionParameterValueFormatError', [image, 'Image', INSERT], ['/Image']);
  }
  if (parameters['Inserted'] === false) throw RedfishHttpError.of(400, 'ActionParameterValueNotInList', ['false', 'Inserted', INSERT], ['/Inserted']);
  return image;
}

/** VirtualMedia.InsertMedia and EjectMedia on each system's BMC: recorded, answered 204, carried out by the reconciler. */
export function registerVirtualMediaRoutes(app: FastifyInstance, allowed: AllowedMethods, store: EventStore): void {
  const base = '/redfish/v1/Managers/:systemId/VirtualMedia/:device/Actions';
  allowed.declare(`${base}/VirtualMedia.InsertMedia`, ['POST']);
  allowed.declare(`${base}/VirtualMedia.EjectMedia`, ['POST']);

  const run = (params: { systemId: string; device: string }, url: string, command: (device: MediaDevice) => SystemCommand, request: { actor?: string; id: string }) => {
    const stream = systemStream(params.systemId);
    if (!store.views.get(stream) || !(MEDIA_DEVICES as readonly string[]).includes(params.device)) {
      throw RedfishHttpError.of(404, 'ResourceMissingAtURI', [resourcePath(url)]);
    }
    const outcome = executeClientCommand(store, stream, systemDecider, command(params.device as MediaDevice), clientOrigin(request));
    if (!outcome.ok) throw RedfishHttpError.fromProblems([outcome.problem]);
  };

  app.post<{ Params: { systemId: string; device: string } }>(`${base}/VirtualMedia.InsertMedia`, async (request, reply) => {
    const image = imageOf(actionParameters(request.body, INSERT, INSERT_PARAMETERS));
    run(request.params, request.url, (device) => ({ type: 'InsertMedia', device, image }), request);
    return reply.status(204).send();
  });
  app.post<{ Params: { systemId: string; device: string } }>(`${base}/VirtualMedia.EjectMedia`, async (request, reply) => {
    actionParameters(request.body, 'VirtualMedia.EjectMedia', []);
    run(request.params, request.url, (device) => ({ type: 'EjectMedia', device }), request);
    return reply.status(204).send();
  });
}
