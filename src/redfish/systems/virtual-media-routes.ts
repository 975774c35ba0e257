import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { systemDecider, type InsertMedia, type SystemCommand } from '../../domain/system/system-decider.js';
import { MEDIA_DEVICES, systemStream, type MediaDevice } from '../../domain/system/system-events.js';
import { actionParameters } from '../action-body.js';
import { RedfishHttpError, resourceMissing } from '../redfish-error.js';
import { resourcePath } from '../server.js';
import { httpUrl } from '../http-url.js';
import { baseMessage } from '../../registries/base-registry.js';
import { etagOf } from '../etag.js';
import { requireIfMatch, requireObjectBody } from '../patch-preconditions.js';
import { readPatchBody } from '../patch-body.js';
import { CLAIMED_PROPERTIES } from '../claimed-properties.js';
import { isOnePemCertificate } from '../../projections/certificate-document.js';
import { mediaPasswordKey } from '../../reconciler/media-actions.js';
import { executeRequest } from '../execute-request.js';

const INSERT = 'VirtualMedia.InsertMedia';
const INSERT_PARAMETERS = [
  'Image',
  'Inserted',
  'WriteProtected',
  'TransferMethod',
  'TransferProtocolType',
  'UserName',
  'Password',
];

const TRANSFER_PROTOCOLS = ['HTTP', 'HTTPS'] as const;

/** The insert an InsertMedia action (or a PATCH of Image) asks for: its image URL, credentials and protocol, checked. */
function insertOf(
  parameters: Record<string, unknown>,
  where: { action?: string },
): Omit<InsertMedia, 'type' | 'device'> & { password?: string } {
  const action = where.action;
  const missing = (name: string) =>
    action
      ? RedfishHttpError.of(400, 'ActionParameterMissing', [action, name], [`/${name}`])
      : RedfishHttpError.of(400, 'PropertyMissing', [name], [`/${name}`]);
  const typeError = (name: string, value: unknown) =>
    action
      ? RedfishHttpError.of(400, 'ActionParameterValueTypeError', [JSON.stringify(value), name, action], [`/${name}`])
      : RedfishHttpError.of(400, 'PropertyValueTypeError', [JSON.stringify(value), name], [`/${name}`]);
  const notInList = (name: string, value: string) =>
    action
      ? RedfishHttpError.of(400, 'ActionParameterValueNotInList', [value, name, action], [`/${name}`])
      : RedfishHttpError.of(400, 'PropertyValueNotInList', [value, name], [`/${name}`]);
  const image = parameters['Image'];
  if (image === undefined) throw missing('Image');
  if (typeof image !== 'string') throw typeError('Image', image);
  const url = httpUrl(image);
  if (!url) {
    throw action
      ? RedfishHttpError.of(400, 'ActionParameterValueFormatError', [image, 'Image', action], ['/Image'])
      : RedfishHttpError.of(400, 'PropertyValueFormatError', [image, 'Image'], ['/Image']);
  }
  for (const name of ['UserName', 'Password']) {
    if (parameters[name] !== undefined && parameters[name] !== null && typeof parameters[name] !== 'string')
      throw typeError(name, parameters[name]);
  }
  const protocol = parameters['TransferProtocolType'];
  if (protocol !== undefined && protocol !== null) {
    if (typeof protocol !== 'string') throw typeError('TransferProtocolType', protocol);
    if (!(TRANSFER_PROTOCOLS as readonly string[]).includes(protocol))
      throw notInList('TransferProtocolType', protocol);
    // The protocol named must be the one the URL speaks: an HTTPS image named HTTP is a client's mistake.
    if (`${protocol.toLowerCase()}:` !== url.protocol) {
      throw action
        ? RedfishHttpError.of(
            400,
            'ActionParameterValueConflict',
            ['TransferProtocolType', protocol],
            ['/TransferProtocolType', '/Image'],
          )
        : RedfishHttpError.of(
            400,
            'PropertyValueConflict',
            ['TransferProtocolType', 'Image'],
            ['/TransferProtocolType', '/Image'],
          );
    }
  }
  if (parameters['WriteProtected'] === false) throw notInList('WriteProtected', 'false');
  const userName = parameters['UserName'];
  const password = parameters['Password'];
  return {
    image,
    ...(typeof userName === 'string' && userName !== '' && { userName }),
    ...(typeof password === 'string' && password !== '' && { password }),
    ...(typeof protocol === 'string' && { transferProtocol: protocol as (typeof TRANSFER_PROTOCOLS)[number] }),
  };
}

/**
 * VirtualMedia on each system's BMC: InsertMedia and EjectMedia (or a PATCH of Image and
 * Inserted, which some clients send instead), VerifyCertificate, and the Certificates the device
 * trusts image servers by. Each is recorded and answered at once; the reconciler fetches and
 * attaches. A password for the image server is kept beside the log, never in it.
 */
export function registerVirtualMediaRoutes(app: FastifyInstance, store: EventStore): void {
  const device = '/redfish/v1/Managers/:systemId/VirtualMedia/:device';
  const base = `${device}/Actions`;

  type Params = { systemId: string; device: string };
  /** The drive's stream and device, or 404 when either is unknown. */
  const target = (params: Params, url: string): { stream: string; device: MediaDevice } => {
    const stream = systemStream(params.systemId);
    if (!store.views.get(stream) || !(MEDIA_DEVICES as readonly string[]).includes(params.device)) {
      throw resourceMissing(resourcePath(url));
    }
    return { stream, device: params.device as MediaDevice };
  };
  const run = (stream: string, command: SystemCommand, request: { actor?: string; id: string }) =>
    executeRequest(store, stream, systemDecider, command, request);
  /** Records an insert, and keeps its password (if any) for the reconciler under the event's position. */
  const insert = (
    stream: string,
    device: MediaDevice,
    asked: ReturnType<typeof insertOf>,
    request: { actor?: string; id: string },
  ) => {
    const { password, ...rest } = asked;
    const outcome = run(stream, { type: 'InsertMedia', device, ...rest }, request);
    if (password !== undefined && outcome.result)
      store.saveSecret(mediaPasswordKey(outcome.result.lastPosition), password);
  };

  app.post<{ Params: Params }>(`${base}/VirtualMedia.InsertMedia`, async (request, reply) => {
    const parameters = actionParameters(request.body, INSERT, INSERT_PARAMETERS);
    const asked = insertOf(parameters, { action: INSERT });
    if (parameters['Inserted'] === false)
      throw RedfishHttpError.of(400, 'ActionParameterValueNotInList', ['false', 'Inserted', INSERT], ['/Inserted']);
    const { stream, device: drive } = target(request.params, request.url);
    insert(stream, drive, asked, request);
    return reply.status(204).send();
  });
  app.post<{ Params: Params }>(`${base}/VirtualMedia.EjectMedia`, async (request, reply) => {
    actionParameters(request.body, 'VirtualMedia.EjectMedia', []);
    const { stream, device: drive } = target(request.params, request.url);
    run(stream, { type: 'EjectMedia', device: drive }, request);
    return reply.status(204).send();
  });

  app.patch<{ Params: Params }>(device, async (request, reply) => {
    const { stream, device: drive } = target(request.params, request.url);
    const id = resourcePath(request.url);
    const view = store.views.get(id)!;
    requireIfMatch(request.headers, view);
    const body = readPatchBody(request.body, JSON.parse(view.body), CLAIMED_PROPERTIES.VirtualMedia);
    const verify = body['VerifyCertificate'] as boolean | undefined;
    const inserted = body['Inserted'];
    // Image and Inserted as sushy sends them to a BMC without the actions: an insert, or an eject.
    const ejects = inserted === false || body['Image'] === null;
    const asked = !ejects && body['Image'] !== undefined ? insertOf(body, {}) : undefined;
    // The media first: it is what can be refused (a domain gone), and then nothing is recorded.
    if (asked) insert(stream, drive, asked, request);
    if (ejects) run(stream, { type: 'EjectMedia', device: drive }, request);
    if (verify !== undefined) run(stream, { type: 'SetMediaVerification', device: drive, verify }, request);
    const updated = store.views.get(id)!;
    return reply.header('ETag', etagOf(updated)).type('application/json; charset=utf-8').send(updated.body);
  });

  app.post<{ Params: Params }>(`${device}/Certificates`, async (request, reply) => {
    const { stream, device: drive } = target(request.params, request.url);
    const body = requireObjectBody(request.body);
    const unknown = Object.keys(body).filter(
      (name) => !name.startsWith('@') && name !== 'CertificateString' && name !== 'CertificateType',
    );
    if (unknown.length > 0)
      throw new RedfishHttpError(
        400,
        unknown.map((name) => baseMessage('PropertyUnknown', [name], [`/${name}`])),
      );
    const pem = body['CertificateString'];
    const type = body['CertificateType'];
    if (pem === undefined)
      throw RedfishHttpError.of(400, 'PropertyMissing', ['CertificateString'], ['/CertificateString']);
    if (type === undefined)
      throw RedfishHttpError.of(400, 'PropertyMissing', ['CertificateType'], ['/CertificateType']);
    if (type !== 'PEM')
      throw RedfishHttpError.of(400, 'PropertyValueNotInList', [String(type), 'CertificateType'], ['/CertificateType']);
    if (typeof pem !== 'string' || !isOnePemCertificate(pem)) {
      throw RedfishHttpError.of(
        400,
        'PropertyValueFormatError',
        [typeof pem === 'string' ? pem.slice(0, 40) : JSON.stringify(pem), 'CertificateString'],
        ['/CertificateString'],
      );
    }
    const outcome = run(stream, { type: 'AddMediaCertificate', device: drive, pem }, request);
    const added = outcome.events[0] as { data: { certificateId: string } };
    const location = `${resourcePath(request.url)}/${added.data.certificateId}`;
    return reply
      .status(201)
      .header('Location', location)
      .type('application/json; charset=utf-8')
      .send(store.views.get(location)!.body);
  });
  app.delete<{ Params: Params & { certificateId: string } }>(
    `${device}/Certificates/:certificateId`,
    async (request, reply) => {
      const { stream, device: drive } = target(request.params, request.url);
      if (!store.views.get(resourcePath(request.url))) throw resourceMissing(resourcePath(request.url));
      run(
        stream,
        { type: 'RemoveMediaCertificate', device: drive, certificateId: request.params.certificateId },
        request,
      );
      return reply.status(204).send();
    },
  );
}
