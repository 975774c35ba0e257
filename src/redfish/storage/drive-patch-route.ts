import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { storageDecider } from '../../domain/storage/storage-decider.js';
import { driveUri, storageStream } from '../../domain/storage/storage-events.js';
import { CLAIMED_PROPERTIES } from '../claimed-properties.js';
import { etagOf } from '../etag.js';
import { executeRequest } from '../execute-request.js';
import { readPatchBody } from '../patch-body.js';
import { requireIfMatch } from '../patch-preconditions.js';
import { resourceMissing } from '../redfish-error.js';

type DriveParams = { systemId: string; storageId: string; driveId: string };

/** PATCH of a drive: its locator light (LocationIndicatorActive), a command to its storage. If-Match honoured. */
export function registerDrivePatchRoute(app: FastifyInstance, store: EventStore): void {
  app.patch<{ Params: DriveParams }>(
    '/redfish/v1/Systems/:systemId/Storage/:storageId/Drives/:driveId',
    async (request, reply) => {
      const { systemId, storageId, driveId } = request.params;
      const id = driveUri(systemId, storageId, driveId);
      const view = store.views.get(id);
      if (!view) throw resourceMissing(id);
      requireIfMatch(request.headers, view);
      const body = readPatchBody(request.body, JSON.parse(view.body), CLAIMED_PROPERTIES.Drive);
      const active = body['LocationIndicatorActive'];
      if (typeof active === 'boolean')
        executeRequest(
          store,
          storageStream(systemId, storageId),
          storageDecider,
          { type: 'SetDriveLocator', driveId, active },
          request,
        );
      const updated = store.views.get(id)!;
      return reply.header('ETag', etagOf(updated)).type('application/json; charset=utf-8').send(updated.body);
    },
  );
}
