import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { driveUri } from '../../domain/storage/storage-events.js';
import { DRIVE_FAULTS, injectDriveFault, type DriveFault } from '../../lab/drive-faults.js';
import { baseMessage } from '../../registries/base-registry.js';
import { RedfishHttpError, resourceMissing } from '../redfish-error.js';
import { resourcePath } from '../server.js';
import { accepted } from '../execute-request.js';

/** The emulator's own API, beside the Redfish service: what a real BMC cannot be asked to do. */
export const ADMIN_PREFIX = '/emulator/v1';

type Params = { systemId: string; storageId: string; driveId: string; fault: string };

/**
 * POST /emulator/v1/Systems/{system}/Storage/{storage}/Drives/{drive}/fail (or /replace, with
 * an optional {"SerialNumber": "…"}): injects the fault and answers with the Drive as Redfish
 * now shows it. Authenticated like the Redfish service.
 */
export function registerDriveFaultRoutes(app: FastifyInstance, store: EventStore): void {
  app.post<{ Params: Params }>(
    `${ADMIN_PREFIX}/Systems/:systemId/Storage/:storageId/Drives/:driveId/:fault`,
    async (request, reply) => {
      const { systemId, storageId, driveId, fault } = request.params;
      if (!(DRIVE_FAULTS as readonly string[]).includes(fault)) throw resourceMissing(resourcePath(request.url));
      const body = request.body ?? {};
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw RedfishHttpError.of(400, 'MalformedJSON');
      const fields = body as Record<string, unknown>;
      const unknown = Object.keys(fields).filter((key) => key !== 'SerialNumber' || fault !== 'replace');
      if (unknown.length > 0)
        throw new RedfishHttpError(
          400,
          unknown.map((key) => baseMessage('PropertyUnknown', [key], [`/${key}`])),
        );
      const serial = fields['SerialNumber'];
      if (serial !== undefined && (typeof serial !== 'string' || serial.length === 0)) {
        throw RedfishHttpError.of(
          400,
          'PropertyValueTypeError',
          [JSON.stringify(serial), 'SerialNumber'],
          ['/SerialNumber'],
        );
      }
      accepted(
        injectDriveFault(store, {
          systemId,
          storageId,
          driveId,
          fault: fault as DriveFault,
          ...(typeof serial === 'string' && { serialNumber: serial }),
          actor: request.actor ?? 'anonymous',
          requestId: request.id,
        }),
      );
      const drive = store.views.get(driveUri(systemId, storageId, driveId))!;
      return reply.type('application/json; charset=utf-8').send(drive.body);
    },
  );
}
