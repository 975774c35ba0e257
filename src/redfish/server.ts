import { createHash } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { ViewReader } from '../views/view-reader.js';
import { AllowedMethods } from './allowed-methods.js';
import { etagMatches, etagOf } from './etag.js';
import { RedfishHttpError, resourceMissing } from './redfish-error.js';
import { describedByLink, metadataDocument, serviceDocument } from './odata-documents.js';
import { BASE_REGISTRY_TEXT, baseMessage } from '../registries/base-registry.js';
import { BASE_REGISTRY_URI } from '../projections/service-documents.js';
import { BIOS_ATTRIBUTE_REGISTRY_TEXT, BIOS_ATTRIBUTE_REGISTRY_URI } from './bios-attribute-registry.js';
import { errorBody } from './redfish-error.js';
import { fromStoreError } from './store-errors.js';
import { logUnparsedRequest, noteRefusal, RequestLog } from './request-log.js';
import { DISCARD_LIMIT_BYTES, discardBody } from './oversize-body.js';

export const SERVICE_ROOT = '/redfish/v1';

export interface RedfishServerOptions {
  readonly views: ViewReader;
  /** Largest request body accepted; larger ones get 413. */
  readonly bodyLimitBytes?: number;
  /** What GET /healthz reports besides {"status": "ok"} (a "status" of its own replaces it). */
  readonly health?: () => Record<string, unknown>;
  /** What this process observes about a view beyond what the log holds (failing loops on its Status), applied as it is served. */
  readonly liveStatus?: (path: string, body: string) => string;
  /** Where the request log, warnings and errors go; none by default (tests). Credentials and tokens are never logged. */
  readonly logger?: FastifyBaseLogger;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
  /** Maps a request's URL to the one it is served as (other addresses of a resource), before routing. */
  readonly rewriteUrl?: (url: string) => string;
  /** Told of every error answer as it is sent (the refusals the log records: refusal-recorder.ts). */
  readonly onRefusal?: (request: FastifyRequest, error: RedfishHttpError) => void;
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
function fromFastifyError(error: FastifyError, request: FastifyRequest): RedfishHttpError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return RedfishHttpError.of(400, 'MalformedJSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return RedfishHttpError.of(413, 'PayloadTooLarge');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return RedfishHttpError.of(400, 'MalformedJSON');
    case 'FST_ERR_BAD_URL':
      // A path that cannot be decoded (a stray '%') names no resource.
      return RedfishHttpError.of(400, 'InvalidURI', [request.url]);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // No resource has a path segment that long.
      return resourceMissing(resourcePath(request.url));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      // Base has no media-type message: the header at fault is named, the status says why.
      const contentType = request.headers['content-type'];
      return contentType === undefined
        ? RedfishHttpError.of(415, 'HeaderMissing', ['Content-Type'])
        : RedfishHttpError.of(415, 'HeaderInvalid', [`Content-Type: ${contentType}`]);
    }
  }
  // JSON.parse's own SyntaxError and fastify's prototype-poisoning refusals carry 400.
  if (error.statusCode === 400 && error instanceof SyntaxError) return RedfishHttpError.of(400, 'MalformedJSON');
  return undefined;
}

/**
 * What every response under /redfish carries. no-cache rather than a lifetime: any event can
 * change a view, and the ETag makes asking again cheap.
 */
function setProtocolHeaders(request: FastifyRequest, reply: FastifyReply): void {
  if (!request.url.startsWith('/redfish')) return;
  reply.header('OData-Version', '4.0');
  reply.header('Cache-Control', 'no-cache');
}

type SendError = (reply: FastifyReply, error: RedfishHttpError) => FastifyReply;

function sendError(reply: FastifyReply, error: RedfishHttpError): FastifyReply {
  noteRefusal(reply.request, error.messages);
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.status(error.status).type('application/json; charset=utf-8').send(error.body());
}

/**
 * A 413 the client can read: the rest of the body is read and thrown away first (up to
 * DISCARD_LIMIT_BYTES), since a client still sending would otherwise meet a closed connection
 * instead of the answer. The connection closes after it either way.
 */
async function refuseOversizeBody(
  request: FastifyRequest,
  reply: FastifyReply,
  error: RedfishHttpError,
  send: SendError,
): Promise<FastifyReply> {
  const declared = Number(request.headers['content-length']);
  if (!(declared > DISCARD_LIMIT_BYTES)) await discardBody(request.raw);
  return send(reply, error.withHeaders({ Connection: 'close' }));
}

/**
 * The Redfish HTTP service, not yet listening. GETs of every resource are answered from the
 * views; mutations are routes that resource families register on `app` as usual. Every route is
 * recorded in `allowedMethods`, so any other method on a resource gets 405 with an accurate Allow.
 */
export function buildRedfishServer(options: RedfishServerOptions): RedfishServer {
  const allowedMethods = new AllowedMethods();
  const allowHeader = (path: string) => allowedMethods.allowHeader(path, options.views.get(path) !== undefined);
  /** Any method a route does not take: 405 on a resource that exists (a view or a route), 404 otherwise. */
  const notAllowed = (url: string): RedfishHttpError => {
    const path = resourcePath(url);
    if (!options.views.get(path) && !allowedMethods.has(path)) return resourceMissing(path);
    return RedfishHttpError.of(405, 'OperationNotAllowed').withHeaders({ Allow: allowHeader(path) });
  };
  const requestLog = options.logger ? new RequestLog() : undefined;
  // Every error answer goes through here: the one place a refusal is seen whatever refused it.
  const onRefusal = options.onRefusal;
  const refuse: SendError = onRefusal
    ? (reply, error) => {
        onRefusal(reply.request, error);
        return sendError(reply, error);
      }
    : sendError;
  const app = Fastify({
    ...(options.https && { https: { cert: options.https.cert, key: options.https.key } }),
    // No child logger per request: each line the service writes about a request names its id
    // itself (RequestLog, the error handler), which spares a pino child for every request.
    ...(requestLog
      ? {
          loggerInstance: options.logger,
          logController: requestLog,
          childLoggerFactory: (logger: FastifyBaseLogger) => logger,
        }
      : { logger: false }),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    ...(options.rewriteUrl && { rewriteUrl: (request: { url?: string }) => options.rewriteUrl!(request.url ?? '/') }),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // Refusals from fastify's router, before any route or error handler runs.
    frameworkErrors: (error, request, reply) => {
      // The reply these get skips the onSend hooks, and fastify's request logging.
      setProtocolHeaders(request, reply);
      if (requestLog) reply.raw.once('finish', () => requestLog.requestCompleted(null, request, reply));
      refuse(reply, fromFastifyError(error, request) ?? RedfishHttpError.of(500, 'InternalError'));
    },
    return503OnClosing: true,
    // Node's parser refuses methods it does not know before any route sees them; answer those
    // as a Redfish service must (405), not with a bare 400.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return;
      const unknownMethod = error.code === 'HPE_INVALID_METHOD';
      const message = baseMessage(unknownMethod ? 'OperationNotAllowed' : 'MalformedJSON');
      const body = JSON.stringify(errorBody([message]));
      // fastify types rawPacket as JSON-ified; at run time it is the Buffer node's parser saw.
      const raw = error.rawPacket as unknown as Buffer | undefined;
      const [, method, target] = /^(\S+)\s+(\S+)/.exec(raw?.toString('latin1') ?? '') ?? [];
      if (options.logger)
        logUnparsedRequest(options.logger, {
          method: method ?? '-',
          path: target ?? '-',
          status: unknownMethod ? 405 : 400,
          messageId: message.MessageId,
        });
      const allow = unknownMethod && target ? `Allow: ${allowHeader(resourcePath(target))}\r\n` : '';
      socket.end(
        `HTTP/1.1 ${unknownMethod ? '405 Method Not Allowed' : '400 Bad Request'}\r\n${allow}` +
          'Content-Type: application/json; charset=utf-8\r\nOData-Version: 4.0\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });
  const metadata = metadataDocument();
  app.removeContentTypeParser('text/plain');

  // Every route anyone adds is recorded with its methods, so the 405 answer below knows them;
  // the generic handlers, which answer for any path, are marked and left out.
  app.addHook('onRoute', (route) => {
    if ((route.config as { generic?: boolean } | undefined)?.generic) return;
    allowedMethods.declare(route.url, [route.method].flat());
  });
  const generic = { config: { generic: true } };

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/redfish')) return;
    const query = request.query as Record<string, unknown>;
    // No query parameter is supported yet; the spec asks for 501 on those a service lacks.
    const unsupported = Object.keys(query ?? {}).find(
      (name) => name.startsWith('$') || ['only', 'excerpt'].includes(name),
    );
    if (unsupported) throw RedfishHttpError.of(501, 'QueryParameterUnsupported', [unsupported]);
    const odataVersion = request.headers['odata-version'];
    if (odataVersion !== undefined && odataVersion !== '4.0')
      throw RedfishHttpError.of(412, 'HeaderInvalid', [`OData-Version: ${odataVersion}`]);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    setProtocolHeaders(request, reply);
    if (request.url.startsWith('/redfish')) {
      // Every resource names its JSON Schema; the type is read off the body already serialised.
      if (reply.statusCode === 200 && typeof payload === 'string') {
        const type = /"@odata\.type":\s*"(#[^"]+)"/.exec(payload)?.[1];
        if (type && !reply.hasHeader('Link')) reply.header('Link', describedByLink(type));
        // Resources served by routes rather than views get an ETag of their content, and the
        // same conditional GET as views.
        if (type && !reply.hasHeader('ETag')) {
          const etag = `W/"${createHash('sha256').update(payload).digest('base64url').slice(0, 22)}"`;
          reply.header('ETag', etag);
          if (
            (request.method === 'GET' || request.method === 'HEAD') &&
            etagMatches(request.headers['if-none-match'], etag)
          ) {
            reply.status(304);
            return '';
          }
        }
      }
    }
    return payload;
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof RedfishHttpError) return refuse(reply, error);
    const known = fromFastifyError(error, request) ?? fromStoreError(error);
    if (known?.status === 413) return refuseOversizeBody(request, reply, known, refuse);
    if (known) {
      if (known.status >= 500)
        request.log.error({ reqId: request.id, err: error }, 'the event store could not record the request');
      return refuse(reply, known);
    }
    request.log.error({ reqId: request.id, err: error }, 'unexpected error');
    return refuse(reply, RedfishHttpError.of(500, 'InternalError'));
  });

  // GET and HEAD of any /redfish/v1 path are routed, so what lands here is either outside the
  // service or a method no route takes (OPTIONS, TRACE...).
  app.setNotFoundHandler((request, reply) => {
    const get = request.method === 'GET' || request.method === 'HEAD';
    refuse(reply, get ? resourceMissing(resourcePath(request.url)) : notAllowed(request.url));
  });

  app.get(`${SERVICE_ROOT}/$metadata`, async (_request, reply) =>
    reply.type('application/xml; charset=utf-8').send(metadata),
  );
  app.get(`${SERVICE_ROOT}/odata`, async (_request, reply) => {
    const root = options.views.get(SERVICE_ROOT);
    return reply
      .type('application/json; charset=utf-8')
      .send(serviceDocument(root ? (JSON.parse(root.body) as Record<string, unknown>) : {}));
  });

  app.get(BASE_REGISTRY_URI, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(BASE_REGISTRY_TEXT),
  );
  app.get(BIOS_ATTRIBUTE_REGISTRY_URI, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(BIOS_ATTRIBUTE_REGISTRY_TEXT),
  );

  const versions = { v1: `${SERVICE_ROOT}/` };
  app.get('/redfish', async (_request, reply) => reply.type('application/json; charset=utf-8').send(versions));

  const readView = (request: FastifyRequest, reply: FastifyReply) => {
    const path = resourcePath(request.url);
    const view = options.views.get(path);
    if (!view) throw resourceMissing(path);
    const etag = etagOf(view);
    const body = options.liveStatus?.(path, view.body) ?? view.body;
    reply.header('ETag', etag);
    reply.header('Allow', allowHeader(path));
    // The ETag stays the view's (an If-Match on it still holds); a body the live status changed is never a 304.
    if (body === view.body && etagMatches(request.headers['if-none-match'], etag)) return reply.status(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  };
  app.get(SERVICE_ROOT, generic, readView);
  app.get(`${SERVICE_ROOT}/*`, generic, readView);

  // The methods that carry a body get routes of their own, so the body is checked (400, 413,
  // 415) before the method is refused, as it is on a resource that takes the method.
  for (const url of ['/redfish', '/redfish/*']) {
    app.route({
      method: ['POST', 'PUT', 'PATCH', 'DELETE'],
      url,
      ...generic,
      handler: async (request) => {
        throw notAllowed(request.url);
      },
    });
  }

  app.get('/healthz', async () => ({ status: 'ok', ...options.health?.() }));

  return { app, allowedMethods };
}
