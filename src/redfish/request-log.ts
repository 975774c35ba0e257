import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import type { RedfishMessage } from '../registries/base-registry.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The MessageIds of the error body the request was answered with, for the request log. */
    refusedWith?: readonly string[];
    /** Why a login was refused when the client is not told (a locked account), for the request log only. */
    loginRefusal?: string;
  }
}

/** Remembers why a request was refused, so its log line can say it. */
export function noteRefusal(request: FastifyRequest, messages: readonly RedfishMessage[]): void {
  request.refusedWith = messages.map((m) => m.MessageId);
}

/**
 * fastify's request logging, as one line per request once its answer is sent: request id (the
 * `requestId` its events carry in history), actor, method, path, status, milliseconds and, for
 * a refusal, the MessageIds of its error body (and, for a login refused because of a lockout,
 * that reason, which the client is not told). Only these fields are written, never headers or
 * bodies, so no credential or session token can reach the log.
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override routeNotFound(): void {}

  // fastify's own lines about a request, with its id: requests get no child logger that would add it.
  override streamError(error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
    if (error.code === 'ERR_STREAM_PREMATURE_CLOSE')
      reply.log.info({ reqId: request.id, status: reply.statusCode }, 'stream closed prematurely');
    else
      reply.log.warn({ reqId: request.id, err: error }, 'response terminated with an error with headers already sent');
  }

  override writeHeadError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    reply.log.warn({ reqId: request.id, method: request.method, path: request.url, err: error }, error.message);
  }

  override serializerError(
    error: Error,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata: { statusCode: number },
  ): void {
    reply.log.error(
      { reqId: request.id, err: error, statusCode: metadata.statusCode },
      'The serializer for the given status code failed',
    );
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      reqId: request.id,
      method: request.method,
      path: request.url,
      status: reply.statusCode,
      // A reply fastify made outside its routing (a malformed URL) has no start time to measure from.
      ...(Number.isFinite(reply.elapsedTime) && { ms: Math.round(reply.elapsedTime * 10) / 10 }),
      actor: request.actor ?? 'anonymous',
      ...(request.refusedWith && { messageIds: request.refusedWith }),
      ...(request.loginRefusal !== undefined && { loginRefusal: request.loginRefusal }),
    };
    if (error) reply.log.error({ ...line, err: error }, 'request failed');
    else if (reply.statusCode >= 500) reply.log.error(line, 'request failed');
    else reply.log.info(line, 'request');
  }
}

/**
 * The line of a request Node's HTTP parser refused (an unknown method) and answered on the raw
 * socket: no fastify request exists, so no request id or time taken either.
 */
export function logUnparsedRequest(
  logger: FastifyBaseLogger,
  line: { method: string; path: string; status: number; messageId: string },
): void {
  logger.info(
    { method: line.method, path: line.path, status: line.status, actor: 'anonymous', messageIds: [line.messageId] },
    'request',
  );
}
