import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { storageDecider } from '../../domain/storage/storage-decider.js';
import { RedfishHttpError, resourceMissing } from '../redfish-error.js';
import { resourcePath } from '../server.js';
import { FINAL_STATES, readTask } from './task-outcome.js';
import { executeRequest } from '../execute-request.js';

/**
 * DELETE of a Task, or of its task monitor: cancels a volume request still waiting for the
 * system's next reset (TaskState Cancelled; a volume it was to make is gone). Work already under
 * way in libvirt is not cut half-way: that is 409. Answers with the task as it now is.
 */
export function registerTaskCancelRoutes(app: FastifyInstance, store: EventStore): void {
  const cancel = async (request: FastifyRequest<{ Params: { taskId: string } }>, reply: FastifyReply) => {
    const { taskId } = request.params;
    const task = readTask(store, taskId);
    if (!task) throw resourceMissing(resourcePath(request.url));
    // A finished task stays as the record of what happened: there is nothing left to cancel.
    if (FINAL_STATES.includes(task.TaskState)) throw RedfishHttpError.of(409, 'ResourceCannotBeDeleted');
    // The storage a volume task belongs to is where its request went: …/Storage/{id}/Volumes[/…].
    const target = (task['Payload'] as { TargetUri: string }).TargetUri;
    const stream = target.slice(0, target.indexOf('/Volumes'));
    executeRequest(store, stream, storageDecider, { type: 'CancelOperation', taskId }, request);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(readTask(store, taskId)));
  };
  for (const path of ['/redfish/v1/TaskService/Tasks/:taskId', '/redfish/v1/TaskService/TaskMonitors/:taskId']) {
    app.delete<{ Params: { taskId: string } }>(path, cancel);
  }
}
