import { createHash } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ViewReader } from '../projections/view-reader.js';
import { AllowedMethods } from './allowed-methods.js';
import { etagMatches, etagOf } from './etag.js';
import { RedfishHttpError } from './redfish-error.js';
import { describedByLink, metadataDocument, serviceDocument } from './odata-documents.js';
import { BASE_REGISTRY_TEXT, baseMessage } from './base-registry.js';
import { BASE_REGISTRY_URI } from '../projections/service-documents.js';
import { errorBody } from './redfish-error.js';

export const SERVICE_ROOT = '/redfish/v1';

export interface RedfishServerOptions {
  readonly views: ViewReader;
  /** Largest request body accepted; larger ones get 413. */
  readonly bodyLimitBytes?: number;
  /** What GET /healthz reports besides {"status": "ok"}. */
  readonly health?: () => Record<string, unknown>;
  /** Where warnings and errors go; none by default (tests). Credentials and tokens are never logged. */
  readonly logger?: FastifyBaseLogger;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
}

export interface RedfishServer {
  readonly app: FastifyInstance;
  readonly allowedMethods: AllowedMethods;
}

/** A resource path as views key it: no query, no trailing slash, '/redfish/v1/' → '/redfish/v1'. */
export function resourcePath(url: string): string {
  const path = url.split('?')[0]!;
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** fastify's own request errors, each as the Redfish answer it deserves. */
function fromFastifyError(error: FastifyError): RedfishHttpError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return RedfishHttpError.of(400, 'MalformedJSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return RedfishHttpError.of(413, 'PayloadTooLarge');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return RedfishHttpError.of(400, 'MalformedJSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      // Base has no media-type message; the status says it, GeneralError carries the body.
      return RedfishHttpError.of(415, 'GeneralError');
  }
  // JSON.parse's own SyntaxError and fastify's prototype-poisoning refusals carry 400.
  if (error.statusCode === 400 && error instanceof SyntaxError) return RedfishHttpError.of(400, 'MalformedJSON');
  return undefined;
}

function sendError(reply: FastifyReply, error: RedfishHttpError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.status(error.status).type('application/json; charset=utf-8').send(error.body());
}

/**
 * The Redfish HTTP service, not yet listening. GETs of every resource are answered from the
 * views; mutations are routes that resource families register on `app`, declaring their methods
 * in `allowedMethods` so that other methods get an accurate 405.
 */
export function buildRedfishServer(options: RedfishServerOptions): RedfishServer {
  const allowedMethods = new AllowedMethods();
  const app = Fastify({
    ...(options.https && { https: { cert: options.https.cert, key: options.https.key } }),
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    return503OnClosing: true,
    // Node's parser refuses methods it does not know before any route sees them; answer those
    // as a Redfish service must (405), not with a bare 400.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return;
      const notAllowed = error.code === 'HPE_INVALID_METHOD';
      const body = JSON.stringify(errorBody([baseMessage(notAllowed ? 'OperationNotAllowed' : 'MalformedJSON')]));
      // fastify types rawPacket as JSON-ified; at run time it is the Buffer node's parser saw.
      const raw = error.rawPacket as unknown as Buffer | undefined;
      const target = /^\S+\s+(\S+)/.exec(raw?.toString('latin1') ?? '')?.[1];
      const allow = notAllowed && target ? `Allow: ${allowedMethods.allowHeader(resourcePath(target))}\r\n` : '';
      socket.end(
        `HTTP/1.1 ${notAllowed ? '405 Method Not Allowed' : '400 Bad Request'}\r\n${allow}` +
          'Content-Type: application/json; charset=utf-8\r\nOData-Version: 4.0\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });
  const metadata = metadataDocument();
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/redfish')) return;
    const query = request.query as Record<string, unknown>;
    // No query parameter is supported yet; the spec asks for 501 on those a service lacks.
    const unsupported = Object.keys(query ?? {}).find((name) => name.startsWith('$') || ['only', 'excerpt'].includes(name));
    if (unsupported) throw RedfishHttpError.of(501, 'QueryParameterUnsupported', [unsupported]);
    const odataVersion = request.headers['odata-version'];
    if (odataVersion !== undefined && odataVersion !== '4.0') throw RedfishHttpError.of(412, 'HeaderInvalid', [`OData-Version: ${odataVersion}`]);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/redfish')) {
      reply.header('OData-Version', '4.0');
      reply.header('Cache-Control', 'no-cache');
      // Every resource names its JSON Schema; the type is read off the body already serialised.
      if (reply.statusCode === 200 && typeof payload === 'string') {
        const type = /"@odata\.type":\s*"(#[^"]+)"/.exec(payload)?.[1];
        if (type && !reply.hasHeader('Link')) reply.header('Link', describedByLink(type));
        // Resources served by routes rather than views get an ETag of their content.
        if (type && !reply.hasHeader('ETag')) reply.header('ETag', `W/"${createHash('sha256').update(payload).digest('base64url').slice(0, 22)}"`);
      }
    }
    return payload;
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof RedfishHttpError) return sendError(reply, error);
    const known = fromFastifyError(error);
    if (known) return sendError(reply, known);
    request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, RedfishHttpError.of(500, 'InternalError'));
  });

  app.setNotFoundHandler((request, reply) => {
    sendError(reply, RedfishHttpError.of(404, 'ResourceMissingAtURI', [resourcePath(request.url)]));
  });

  app.get(`${SERVICE_ROOT}/$metadata`, async (_request, reply) => reply.type('application/xml; charset=utf-8').send(metadata));
  app.get(`${SERVICE_ROOT}/odata`, async (_request, reply) => {
    const root = options.views.get(SERVICE_ROOT);
    return reply.type('application/json; charset=utf-8').send(serviceDocument(root ? (JSON.parse(root.body) as Record<string, unknown>) : {}));
  });

  allowedMethods.declare(BASE_REGISTRY_URI, []);
  app.get(BASE_REGISTRY_URI, async (_request, reply) => reply.type('application/json; charset=utf-8').send(BASE_REGISTRY_TEXT));

  const versions = { v1: `${SERVICE_ROOT}/` };
  app.get('/redfish', async (_request, reply) => reply.type('application/json; charset=utf-8').send(versions));

  const readView = (request: FastifyRequest, reply: FastifyReply) => {
    const path = resourcePath(request.url);
    const view = options.views.get(path);
    if (!view) throw RedfishHttpError.of(404, 'ResourceMissingAtURI', [path]);
    const etag = etagOf(view);
    reply.header('ETag', etag);
    reply.header('Allow', allowedMethods.allowHeader(path));
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.status(304).send();
    return reply.type('application/json; charset=utf-8').send(view.body);
  };
  app.get(SERVICE_ROOT, readView);
  app.get(`${SERVICE_ROOT}/*`, readView);

  // Methods nobody registered a route for: 405 on a resource that exists, 404 otherwise.
  const notAllowed = async (request: FastifyRequest) => {
    const path = resourcePath(request.url);
    if (!options.views.get(path) && !allowedMethods.has(path)) throw RedfishHttpError.of(404, 'ResourceMissingAtURI', [path]);
    throw RedfishHttpError.of(405, 'OperationNotAllowed').withHeaders({ Allow: allowedMethods.allowHeader(path) });
  };
  for (const url of [SERVICE_ROOT, `${SERVICE_ROOT}/*`]) {
    app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url, handler: notAllowed });
  }

  app.get('/healthz', async () => ({ status: 'ok', ...options.health?.() }));

  return { app, allowedMethods };
}
