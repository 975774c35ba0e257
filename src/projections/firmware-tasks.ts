import type { RecordedEvent } from '../eventstore/event.js';
import type { FirmwareEvent, FirmwareFailureReason } from '../domain/firmware/firmware-events.js';
import { baseMessage, type RedfishMessage } from '../registries/base-registry.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument } from '../eventstore/projector.js';
import { keepTask, taskMonitorUri, taskUri } from './tasks.js';

/** The Base message a failed fetch ends its task with, followed by the exact reason. */
function failureMessage(reason: FirmwareFailureReason, imageUri: string, message: string): RedfishMessage {
  const base =
    reason === 'Connection'
      ? baseMessage('CouldNotEstablishConnection', [imageUri])
      : reason === 'Authorization'
        ? baseMessage('ResourceAtUriUnauthorized', [imageUri, message])
        : baseMessage('InternalError');
  return { ...base, Message: `${base.Message} ${message}` };
}

/**
 * The Task of each SimpleUpdate: Running while the image is fetched, Pending once it is staged
 * (with the reset it waits for), Completed when the system's next boot applies it, or Exception
 * with the reason the image could not be fetched.
 */
export const firmwareTasksProjector: Projector = {
  name: 'firmware-tasks',
  apply(recorded: RecordedEvent, views) {
    const event = { type: recorded.type, data: recorded.data } as FirmwareEvent;
    const { position, recordedAt } = recorded;
    const update = (taskId: string, change: (task: ViewDocument) => ViewDocument) => {
      const task = views.get(taskUri(taskId));
      if (task) views.put(change(task), position);
    };
    switch (event.type) {
      case 'FirmwareUpdateRequested': {
        const { taskId, imageUri, targets } = event.data;
        views.put(
          {
            '@odata.id': taskUri(taskId),
            '@odata.type': ODATA_TYPE.Task,
            Id: taskId,
            Name: `Update ${targets.join(', ')} from ${imageUri}`,
            TaskState: 'Running',
            TaskStatus: 'OK',
            StartTime: recordedAt,
            PercentComplete: 0,
            TaskMonitor: taskMonitorUri(taskId),
            // The request's body stays out: it may hold a password.
            HidePayload: true,
            Messages: [],
            Links: { CreatedResources: [] },
          },
          position,
        );
        keepTask(views, position, taskId);
        return;
      }
      case 'FirmwareImageStaged': {
        const { taskId, version } = event.data;
        const reset = `${recorded.streamId}/Actions/ComputerSystem.Reset`;
        const waiting = baseMessage('ResetRequired', [reset, 'ForceRestart']);
        return update(taskId, (task) => ({
          ...task,
          TaskState: 'Pending',
          PercentComplete: 50,
          Messages: [{ ...waiting, Message: `${waiting.Message} Version ${version} is staged.` }],
        }));
      }
      case 'FirmwareUpdateApplied':
        return update(event.data.taskId, (task) => ({
          ...task,
          TaskState: 'Completed',
          TaskStatus: 'OK',
          EndTime: recordedAt,
          PercentComplete: 100,
          Messages: [baseMessage('Success')],
        }));
      case 'FirmwareUpdateFailed': {
        const { taskId, imageUri, reason, message } = event.data;
        return update(taskId, (task) => ({
          ...task,
          TaskState: 'Exception',
          TaskStatus: 'Critical',
          EndTime: recordedAt,
          Messages: [failureMessage(reason, imageUri, message)],
        }));
      }
      default:
        return;
    }
  },
};
