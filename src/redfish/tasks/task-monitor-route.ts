import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { resourceMissing } from '../redfish-error.js';
import { resourcePath } from '../server.js';
import { readTask, sendTaskAnswer } from './task-outcome.js';

/**
 * GET /redfish/v1/TaskService/TaskMonitors/{id}: the URI a 202 names in Location. 202 with the
 * task while it runs or waits for a reset, then the operation's answer (see sendTaskAnswer).
 */
export function registerTaskMonitorRoute(app: FastifyInstance, store: EventStore): void {
  app.get<{ Params: { taskId: string } }>('/redfish/v1/TaskService/TaskMonitors/:taskId', async (request, reply) => {
    const task = readTask(store, request.params.taskId);
    if (!task) throw resourceMissing(resourcePath(request.url));
    return sendTaskAnswer(reply, request.params.taskId, task, { withBody: true });
  });
}
