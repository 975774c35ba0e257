import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { storeTag } from '../../service-identity.js';
import { storageDecider, type StorageCommand } from '../../domain/storage/storage-decider.js';
import { INITIALIZE_TYPES, storageStream, volumeUri, type ApplyTime } from '../../domain/storage/storage-events.js';
import { actionParameters } from '../action-body.js';
import type { RedfishMessage } from '../../registries/base-registry.js';
import { etagOf } from '../etag.js';
import { requireIfMatch } from '../patch-preconditions.js';
import { readPatchBody } from '../patch-body.js';
import { CLAIMED_PROPERTIES } from '../claimed-properties.js';
import { RedfishHttpError, resourceMissing } from '../redfish-error.js';
import { resourcePath } from '../server.js';
import { newTaskId, readTask, sendTaskAnswer, taskSettled } from '../tasks/task-outcome.js';
import { readApplyTime, readVolumeCreateBody, readVolumeName } from './volume-request.js';
import { executeRequest } from '../execute-request.js';

const VOLUMES = '/redfish/v1/Systems/:systemId/Storage/:storageId/Volumes';
const INITIALIZE = 'Volume.Initialize';

type StorageParams = { systemId: string; storageId: string };
type VolumeParams = StorageParams & { volumeId: string };

export interface VolumeRouteOptions {
  /**
   * How long an Immediate request waits for its work before answering 202 with a task monitor:
   * work done in that time is answered as done (201 with Location for a create, 204 otherwise).
   */
  readonly settleWaitMs: number;
}

/**
 * Volume create (POST to the collection), delete, rename (PATCH Name) and Volume.Initialize:
 * each checked, decided against the storage's drives and volumes, and recorded as a request
 * the storage reconciler carries out. OnReset requests wait for the system's next boot.
 */
export function registerVolumeRoutes(app: FastifyInstance, store: EventStore, options: VolumeRouteOptions): void {
  const streamOf = (params: StorageParams, url: string) => {
    const stream = storageStream(params.systemId, params.storageId);
    if (!store.views.get(stream)) throw resourceMissing(resourcePath(url));
    return stream;
  };
  const requireVolume = (params: VolumeParams, url: string) => {
    const stream = streamOf(params, url);
    const view = store.views.get(volumeUri(params.systemId, params.storageId, params.volumeId));
    if (!view) throw resourceMissing(resourcePath(url));
    return { stream, view };
  };
  const execute = (stream: string, command: StorageCommand, request: FastifyRequest) =>
    executeRequest(store, stream, storageDecider, command, request).events;

  /** Immediate work finished while the client waited is answered as done; the rest gets a task monitor. */
  const answer = async (
    reply: FastifyReply,
    taskId: string,
    applyTime: ApplyTime,
    done: (created?: string) => FastifyReply,
  ) => {
    const settled = applyTime === 'Immediate' ? await taskSettled(store, taskId, options.settleWaitMs) : undefined;
    if (settled?.TaskState === 'Completed') return done(settled.Links.CreatedResources[0]?.['@odata.id']);
    return sendTaskAnswer(reply, taskId, settled ?? readTask(store, taskId)!, { withBody: false });
  };

  app.post<{ Params: StorageParams }>(VOLUMES, async (request, reply) => {
    const stream = streamOf(request.params, request.url);
    const body = readVolumeCreateBody(request.body);
    if (Array.isArray(body)) throw new RedfishHttpError(400, body);
    const taskId = newTaskId();
    execute(
      stream,
      {
        type: 'CreateVolume',
        taskId,
        applyTime: body.applyTime,
        request: body.request,
        ...(body.name !== undefined && { name: body.name }),
        storeTag: storeTag(store),
      },
      request,
    );
    return answer(reply, taskId, body.applyTime, (created) => {
      const volume = created ? store.views.get(created) : undefined;
      return reply.status(201).header('Location', created).type('application/json; charset=utf-8').send(volume?.body);
    });
  });

  app.delete<{ Params: VolumeParams }>(`${VOLUMES}/:volumeId`, async (request, reply) => {
    const { stream } = requireVolume(request.params, request.url);
    const problems: RedfishMessage[] = [];
    const fields =
      typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body)
        ? (request.body as Record<string, unknown>)
        : {};
    const applyTime = readApplyTime(fields, problems);
    if (problems.length > 0) throw new RedfishHttpError(400, problems);
    const taskId = newTaskId();
    const events = execute(
      stream,
      { type: 'DeleteVolume', taskId, applyTime, volumeId: request.params.volumeId },
      request,
    );
    // A volume still waiting for the reset that makes it is gone at once: its create was cancelled.
    if (events.every((event) => event.type === 'VolumeOperationCancelled')) return reply.status(204).send();
    return answer(reply, taskId, applyTime, () => reply.status(204).send());
  });

  app.patch<{ Params: VolumeParams }>(`${VOLUMES}/:volumeId`, async (request, reply) => {
    const { stream, view } = requireVolume(request.params, request.url);
    requireIfMatch(request.headers, view);
    const body = readPatchBody(request.body, JSON.parse(view.body), CLAIMED_PROPERTIES.Volume);
    const problems: RedfishMessage[] = [];
    const name =
      body['DisplayName'] === undefined ? undefined : readVolumeName(body['DisplayName'], problems, 'DisplayName');
    if (problems.length > 0) throw new RedfishHttpError(400, problems);
    if (name !== undefined) execute(stream, { type: 'RenameVolume', volumeId: request.params.volumeId, name }, request);
    const updated = store.views.get(view.odataId)!;
    return reply.header('ETag', etagOf(updated)).type('application/json; charset=utf-8').send(updated.body);
  });

  app.post<{ Params: VolumeParams }>(`${VOLUMES}/:volumeId/Actions/${INITIALIZE}`, async (request, reply) => {
    const { stream } = requireVolume(request.params, request.url);
    const parameters = actionParameters(request.body, INITIALIZE, ['InitializeType']);
    const value = parameters['InitializeType'] ?? 'Fast';
    if (typeof value !== 'string')
      throw RedfishHttpError.of(
        400,
        'ActionParameterValueTypeError',
        [JSON.stringify(value), 'InitializeType', INITIALIZE],
        ['/InitializeType'],
      );
    if (!(INITIALIZE_TYPES as readonly string[]).includes(value))
      throw RedfishHttpError.of(
        400,
        'ActionParameterValueNotInList',
        [value, 'InitializeType', INITIALIZE],
        ['/InitializeType'],
      );
    const problems: RedfishMessage[] = [];
    const applyTime = readApplyTime(parameters, problems);
    if (problems.length > 0) throw new RedfishHttpError(400, problems);
    const taskId = newTaskId();
    execute(
      stream,
      {
        type: 'InitializeVolume',
        taskId,
        applyTime,
        volumeId: request.params.volumeId,
        initializeType: value as 'Fast' | 'Slow',
      },
      request,
    );
    return answer(reply, taskId, applyTime, () => reply.status(204).send());
  });
}
