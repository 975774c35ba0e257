import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { executeClientCommand } from '../../eventstore/execute-command.js';
import { systemDecider } from '../../domain/system/system-decider.js';
import { systemStream } from '../../domain/system/system-events.js';
import {
  firmwareAddressId,
  SIMPLE_UPDATE,
  type FirmwareAddress,
  type FirmwareAddresses,
} from '../../projections/firmware-inventory.js';
import type { FirmwareFetcher } from '../../reconciler/firmware-fetcher.js';
import { clientOrigin } from '../client-origin.js';
import { RedfishHttpError } from '../redfish-error.js';
import { newTaskId, readTask, sendTaskAnswer } from '../tasks/task-outcome.js';
import { readSimpleUpdate } from './simple-update-request.js';

/**
 * POST UpdateService.SimpleUpdate: checked, recorded, and answered 202 with a task monitor. The
 * fetcher fetches the image; the system's next boot applies it.
 */
export function registerUpdateServiceRoutes(app: FastifyInstance, store: EventStore, fetcher: FirmwareFetcher): void {
  app.post(SIMPLE_UPDATE, async (request, reply) => {
    const addresses: FirmwareAddresses = (address) => {
      const view = store.views.get(firmwareAddressId(address));
      return view && (JSON.parse(view.body) as FirmwareAddress);
    };
    const update = readSimpleUpdate(request.body, addresses);
    const taskId = newTaskId();
    fetcher.holdCredentials(taskId, update.credentials);
    const { imageUri, transferProtocol, targets } = update;
    const outcome = executeClientCommand(
      store,
      systemStream(update.systemId),
      systemDecider,
      { type: 'RequestFirmwareUpdate', taskId, imageUri, transferProtocol, targets },
      clientOrigin(request),
    );
    if (!outcome.ok) {
      fetcher.dropCredentials(taskId);
      throw RedfishHttpError.fromProblems([outcome.problem]);
    }
    return sendTaskAnswer(reply, taskId, readTask(store, taskId)!, { withBody: false });
  });
}
