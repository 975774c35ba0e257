import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { storageDecider } from '../../domain/storage/storage-decider.js';
import { driveUri, storageStream } from '../../domain/storage/storage-events.js';
import { CLAIMED_PROPERTIES } from '../claimed-properties.js';
import { executeRequest } from '../execute-request.js';
import { patchView } from '../patch-view.js';

type DriveParams = { systemId: string; storageId: string; driveId: string };

/** PATCH of a drive: its locator light (LocationIndicatorActive), a command to its storage. If-Match honoured. */
export function registerDrivePatchRoute(app: FastifyInstance, store: EventStore): void {
  app.patch<{ Params: DriveParams }>(
    '/redfish/v1/Systems/:systemId/Storage/:storageId/Drives/:driveId',
    async (request, reply) => {
      const { systemId, storageId, driveId } = request.params;
      const id = driveUri(systemId, storageId, driveId);
      return patchView(store, id, request, reply, CLAIMED_PROPERTIES.Drive, (body) => {
        const active = body['LocationIndicatorActive'];
        if (typeof active !== 'boolean') return;
        const command = { type: 'SetDriveLocator', driveId, active } as const;
        executeRequest(store, storageStream(systemId, storageId), storageDecider, command, request);
      });
    },
  );
}
