import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { executeCommand } from '../../eventstore/execute-command.js';
import { MARKS_STREAM, marksDecider } from '../../domain/marks/marks-decider.js';
import { baseMessage } from '../../registries/base-registry.js';
import { RedfishHttpError } from '../redfish-error.js';
import { accepted } from '../execute-request.js';

/**
 * POST /emulator/v1/Marks {"Name": "before-deploy"}: names the current end of the log, as
 * `redfish-emulator mark NAME` does (the same command and event), and answers 201 with the
 * mark and its position. The marks placed are listed by the History API (`type=MarkPlaced`).
 */
export function registerMarkRoutes(app: FastifyInstance, store: EventStore): void {
  app.post(MARKS_STREAM, async (request, reply) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw RedfishHttpError.of(400, 'MalformedJSON');
    const fields = body as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((key) => key !== 'Name');
    if (unknown.length > 0)
      throw new RedfishHttpError(
        400,
        unknown.map((key) => baseMessage('PropertyUnknown', [key], [`/${key}`])),
      );
    const name = fields['Name'];
    if (name === undefined) throw RedfishHttpError.of(400, 'PropertyMissing', ['Name'], ['/Name']);
    if (typeof name !== 'string')
      throw RedfishHttpError.of(400, 'PropertyValueTypeError', [JSON.stringify(name), 'Name'], ['/Name']);
    const outcome = accepted(
      executeCommand(
        store,
        MARKS_STREAM,
        marksDecider,
        { type: 'PlaceMark', name },
        { actor: request.actor ?? 'anonymous', requestId: request.id },
      ),
    );
    const position = outcome.result!.lastPosition;
    return reply.status(201).type('application/json; charset=utf-8').send({ Name: name, Position: position });
  });
}
