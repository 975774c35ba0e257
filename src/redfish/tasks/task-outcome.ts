import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { taskMonitorUri, taskUri } from '../../projections/tasks.js';
import { baseMessage } from '../../registries/base-registry.js';
import { errorBody } from '../redfish-error.js';

type TaskDocument = Record<string, unknown> & {
  TaskState: string;
  Messages: { MessageId: string; Message: string }[];
  Links: { CreatedResources: { '@odata.id': string }[] };
};

export const FINAL_STATES = ['Completed', 'Exception', 'Killed', 'Cancelled'];

/** A task id: short, unguessable, and chosen before the decision so the decision stays pure. */
export const newTaskId = () => randomBytes(6).toString('hex');

export function readTask(store: EventStore, taskId: string): TaskDocument | undefined {
  const view = store.views.get(taskUri(taskId));
  return view ? (JSON.parse(view.body) as TaskDocument) : undefined;
}

/**
 * Resolves with the task once it reaches a final state, or with undefined after `timeoutMs`:
 * checked after every commit, since the reconciler records outcomes in this process.
 */
export function taskSettled(store: EventStore, taskId: string, timeoutMs: number): Promise<TaskDocument | undefined> {
  return new Promise((resolve) => {
    let stop = () => {};
    const finish = (task: TaskDocument | undefined) => {
      clearTimeout(timer);
      stop();
      resolve(task);
    };
    const check = () => {
      const task = readTask(store, taskId);
      if (task && FINAL_STATES.includes(task.TaskState)) finish(task);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    stop = store.commits.listen(check);
    check();
  });
}

/**
 * Retry-After as an HTTP-date: sushy reads a number of seconds as text and cannot sleep on it.
 * A running task is asked after again within the second; one waiting for a reset, in ten.
 */
function retryAfter(task: TaskDocument, now: number): string {
  const seconds = task.TaskState === 'Pending' ? 10 : 1;
  return new Date(Math.floor(now / 1000) * 1000 + seconds * 1000).toUTCString();
}

/**
 * What a task monitor answers, and what a request whose work is not done answers: 202 with
 * the task monitor in Location while it is not done; then the operation's own answer — 201 with
 * the new resource in Location for a create, 200 otherwise, the task as body so pollers can read
 * its messages — or, when it failed, the error body with its messages.
 *
 * The 202 to the request itself has no body: sushy takes the `@odata.id` of a body it finds there
 * for the monitor and would poll the Task resource (which answers 200) instead. The monitor's
 * own 202 carries the task, which sushy reads as the task's progress.
 */
export function sendTaskAnswer(
  reply: FastifyReply,
  taskId: string,
  task: TaskDocument,
  options: { withBody: boolean },
  now = Date.now(),
): FastifyReply {
  if (!FINAL_STATES.includes(task.TaskState)) {
    reply.status(202).header('Location', taskMonitorUri(taskId)).header('Retry-After', retryAfter(task, now));
    return options.withBody ? reply.send(task) : reply.send();
  }
  // Cancelled by a client: nothing was done, and the task says so.
  if (task.TaskState === 'Cancelled') return reply.send(task);
  if (task.TaskState !== 'Completed') {
    const messages = task.Messages.length > 0 ? task.Messages : [baseMessage('InternalError')];
    return reply.status(500).send(errorBody(messages as Parameters<typeof errorBody>[0]));
  }
  const created = task.Links.CreatedResources[0]?.['@odata.id'];
  if (created) reply.status(201).header('Location', created);
  return reply.send(task);
}
