import type { RecordedEvent } from '../eventstore/event.js';
import type { StorageEvent } from '../domain/storage/storage-events.js';
import { baseMessage } from '../registries/base-registry.js';
import { eventMessage } from '../registries/event-registries.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument, ViewWriter } from '../eventstore/projector.js';
import { streamOwner } from '../domain/stream-ids.js';

const TASKS = '/redfish/v1/TaskService/Tasks';
export const taskUri = (taskId: string) => `${TASKS}/${taskId}`;
/** Where a client polls a task: 202 while it runs, then the operation's own answer. */
export const taskMonitorUri = (taskId: string) => `/redfish/v1/TaskService/TaskMonitors/${taskId}`;

/**
 * The most tasks kept: past it, the oldest finished ones give way to new ones (the TaskService's
 * CompletedTaskOverWritePolicy, Oldest). Their events stay in the log for history.
 */
export const MAX_TASKS = 500;
const FINISHED = ['Completed', 'Exception', 'Cancelled'];
/** Task ids in the order they were made: the collection lists them so, oldest first. */
const ORDER = `#order${TASKS}`;

const VERBS = {
  VolumeCreateRequested: 'Create',
  VolumeDeleteRequested: 'Delete',
  VolumeInitializeRequested: 'Initialize',
} as const;

/**
 * A Redfish Task for each volume request that outlives its HTTP exchange: New → Pending (waiting
 * for the system's next reset, when a client may cancel it) or Running → Completed or Exception, with the messages of its
 * outcome and, for a create, the new volume in `Links.CreatedResources`.
 */
export const tasksProjector: Projector = {
  name: 'tasks',
  apply(recorded: RecordedEvent, views) {
    const event = { type: recorded.type, data: recorded.data } as StorageEvent;
    const { position, recordedAt } = recorded;
    const put = (doc: ViewDocument) => views.put(doc, position);
    switch (event.type) {
      case 'VolumeCreateRequested':
      case 'VolumeDeleteRequested':
      case 'VolumeInitializeRequested': {
        const { taskId, applyTime, volumeId } = event.data;
        const volumes = `${recorded.streamId}/Volumes`;
        const target = event.type === 'VolumeCreateRequested' ? volumes : `${volumes}/${volumeId}`;
        // Named as "node-1 RAID-Controller-1": the system and the storage of the stream.
        const owner = streamOwner(recorded.streamId);
        const storage = owner ? `${owner.systemId} ${owner.storageId}` : recorded.streamId;
        put({
          '@odata.id': taskUri(taskId),
          '@odata.type': ODATA_TYPE.Task,
          Id: taskId,
          Name: `${VERBS[event.type]} volume ${volumeId} on ${storage}`,
          TaskState: applyTime === 'OnReset' ? 'Pending' : 'Running',
          TaskStatus: 'OK',
          StartTime: recordedAt,
          PercentComplete: 0,
          TaskMonitor: taskMonitorUri(taskId),
          HidePayload: false,
          Payload: {
            HttpOperation:
              event.type === 'VolumeCreateRequested'
                ? 'POST'
                : event.type === 'VolumeDeleteRequested'
                  ? 'DELETE'
                  : 'POST',
            TargetUri: event.type === 'VolumeInitializeRequested' ? `${target}/Actions/Volume.Initialize` : target,
            HttpHeaders: [],
          },
          Messages: [],
          Links: { CreatedResources: [] },
        });
        keepTask(views, position, taskId);
        return;
      }
      case 'PendingOperationsStarted':
        for (const taskId of event.data.taskIds) {
          const task = views.get(taskUri(taskId));
          if (task) put({ ...task, TaskState: 'Running' });
        }
        return;
      case 'VolumeOperationCompleted': {
        const task = views.get(taskUri(event.data.taskId));
        if (!task) return;
        const created = (task['Payload'] as { HttpOperation: string; TargetUri: string }).TargetUri.endsWith(
          '/Volumes',
        );
        const volume = `${recorded.streamId}/Volumes/${event.data.volumeId}`;
        // Which task made a volume, so its link can go when the volume does (no link to a 404).
        if (created) put({ '@odata.id': `#created-by${volume}`, taskId: event.data.taskId });
        else forgetCreatedResource(views, position, volume);
        put({
          ...task,
          TaskState: 'Completed',
          TaskStatus: 'OK',
          EndTime: recordedAt,
          PercentComplete: 100,
          Messages: [baseMessage(created ? 'Created' : 'Success')],
          Links: { CreatedResources: created ? [{ '@odata.id': volume }] : [] },
        });
        return;
      }
      case 'VolumeOperationCancelled': {
        const task = views.get(taskUri(event.data.taskId));
        if (!task) return;
        put({
          ...task,
          TaskState: 'Cancelled',
          TaskStatus: 'OK',
          EndTime: recordedAt,
          Messages: [eventMessage('TaskEvent', 'TaskCancelled', [event.data.taskId])],
        });
        return;
      }
      case 'VolumeOperationFailed': {
        const task = views.get(taskUri(event.data.taskId));
        if (!task) return;
        const failure = baseMessage('InternalError');
        put({
          ...task,
          TaskState: 'Exception',
          TaskStatus: 'Critical',
          EndTime: recordedAt,
          Messages: [{ ...failure, Message: `${failure.Message} ${event.data.message}` }],
        });
        return;
      }
      default:
        return;
    }
  },
};

/** Adds a task to the collection, oldest first, letting the oldest finished ones go past MAX_TASKS. */
export function keepTask(views: ViewWriter, position: number, taskId: string): void {
  const order = [...((views.get(ORDER)?.['ids'] as string[] | undefined) ?? []), taskId];
  for (let i = 0; order.length > MAX_TASKS && i < order.length; ) {
    const task = views.get(taskUri(order[i]!));
    if (task && !FINISHED.includes(task['TaskState'] as string)) {
      i++;
      continue;
    }
    views.delete(taskUri(order[i]!));
    order.splice(i, 1);
  }
  views.put({ '@odata.id': ORDER, ids: order }, position);
  const members = order.map((id) => ({ '@odata.id': taskUri(id) }));
  views.put(
    {
      '@odata.id': TASKS,
      '@odata.type': ODATA_TYPE.TaskCollection,
      Name: 'Task Collection',
      Members: members,
      'Members@odata.count': members.length,
    },
    position,
  );
}

/** A deleted volume leaves the CreatedResources of the task that made it, if that task is still kept. */
function forgetCreatedResource(views: ViewWriter, position: number, volume: string): void {
  const madeBy = views.get(`#created-by${volume}`)?.['taskId'];
  if (typeof madeBy !== 'string') return;
  views.delete(`#created-by${volume}`);
  const task = views.get(taskUri(madeBy));
  if (!task) return;
  const links = task['Links'] as { CreatedResources: { '@odata.id': string }[] };
  views.put(
    { ...task, Links: { ...links, CreatedResources: links.CreatedResources.filter((l) => l['@odata.id'] !== volume) } },
    position,
  );
}
