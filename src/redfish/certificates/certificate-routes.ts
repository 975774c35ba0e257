import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { certificateDecider } from '../../domain/certificates/certificate-decider.js';
import { CERTIFICATE_SERVICE_STREAM } from '../../domain/certificates/certificate-events.js';
import { REPLACE_CERTIFICATE } from '../../projections/certificates.js';
import type { TlsFiles } from '../../tls-files.js';
import { actionParameters } from '../action-body.js';
import { RedfishHttpError } from '../redfish-error.js';
import { httpsCertificateOf, readCertificateString } from './pem.js';
import { isOnePemCertificate } from '../../projections/certificate-document.js';
import { systemDecider } from '../../domain/system/system-decider.js';
import { systemStream, type MediaDevice } from '../../domain/system/system-events.js';
import { executeRequest } from '../execute-request.js';

const ACTION = 'CertificateService.ReplaceCertificate';
/** A virtual media drive's certificate: its system, drive and certificate id. */
const MEDIA_CERTIFICATE = /^\/redfish\/v1\/Managers\/([^/]+)\/VirtualMedia\/([^/]+)\/Certificates\/([^/]+)$/;

/** How a replacement reaches the running server and the files the next start reads. */
export interface HttpsCertificateInstaller {
  install(files: TlsFiles): void;
}

/** The URI a parameter names, given as a link object (as the CSDL types it) or as a string. */
function linkTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const id = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['@odata.id'] : undefined;
  return typeof id === 'string' ? id : undefined;
}

/**
 * POST CertificateService.ReplaceCertificate. For the service's HTTPS certificate: the new
 * certificate and its private key (PEM, in CertificateString) are checked against each other,
 * written to the TLS files, served from the next connection on, and recorded (the key excepted).
 * For a certificate a virtual media drive trusts: the new one takes its place under the same id.
 */
export function registerCertificateRoutes(
  app: FastifyInstance,
  store: EventStore,
  installer: HttpsCertificateInstaller | undefined,
): void {
  app.post(REPLACE_CERTIFICATE, async (request, reply) => {
    const parameters = actionParameters(request.body, ACTION, [
      'CertificateString',
      'CertificateType',
      'CertificateUri',
      'Password',
    ]);
    for (const name of ['CertificateString', 'CertificateType', 'CertificateUri']) {
      if (parameters[name] === undefined)
        throw RedfishHttpError.of(400, 'ActionParameterMissing', [ACTION, name], [`/${name}`]);
    }
    const type = parameters['CertificateType'];
    if (type !== 'PEM')
      throw RedfishHttpError.of(
        400,
        'ActionParameterValueNotInList',
        [String(type), 'CertificateType', ACTION],
        ['/CertificateType'],
      );
    const target = linkTarget(parameters['CertificateUri']);
    const locations = JSON.parse(
      store.views.get(`${CERTIFICATE_SERVICE_STREAM}/CertificateLocations`)?.body ?? '{}',
    ) as { Links?: { Certificates?: { '@odata.id': string }[] } };
    if (!target || !locations.Links?.Certificates?.some((c) => c['@odata.id'] === target)) {
      throw RedfishHttpError.of(
        400,
        'ResourceNotFound',
        ['Certificate', target ?? JSON.stringify(parameters['CertificateUri'])],
        ['/CertificateUri'],
      );
    }
    const text = parameters['CertificateString'];
    if (typeof text !== 'string')
      throw RedfishHttpError.of(
        400,
        'ActionParameterValueTypeError',
        [JSON.stringify(text), 'CertificateString', ACTION],
        ['/CertificateString'],
      );
    const shownText = text.length > 64 ? `${text.slice(0, 63)}…` : text;
    const media = MEDIA_CERTIFICATE.exec(target);
    if (media) {
      // A certificate a virtual media drive trusts image servers by: one certificate, no key.
      if (!isOnePemCertificate(text))
        throw RedfishHttpError.of(
          400,
          'ActionParameterValueFormatError',
          [shownText, 'CertificateString', ACTION],
          ['/CertificateString'],
        );
      const [, systemId, device, certificateId] = media;
      executeRequest(
        store,
        systemStream(systemId!),
        systemDecider,
        { type: 'ReplaceMediaCertificate', device: device as MediaDevice, certificateId: certificateId!, pem: text },
        request,
      );
      return reply
        .header('Location', target)
        .type('application/json; charset=utf-8')
        .send(store.views.get(target)!.body);
    }
    if (!installer) throw RedfishHttpError.of(400, 'ResourceNotFound', ['Certificate', target], ['/CertificateUri']);
    const { chain, leaf, key, keyPem } = readCertificateString(text);
    if (!chain || !leaf)
      throw RedfishHttpError.of(
        400,
        'ActionParameterValueFormatError',
        [shownText, 'CertificateString', ACTION],
        ['/CertificateString'],
      );
    // HTTPS needs the certificate's own key: missing, or another certificate's, it could not be served.
    if (!key || !keyPem || !leaf.checkPrivateKey(key))
      throw RedfishHttpError.of(
        400,
        'ActionParameterValueError',
        ['CertificateString', ACTION],
        ['/CertificateString'],
      );
    installer.install({ cert: Buffer.from(chain), key: Buffer.from(keyPem) });
    executeRequest(
      store,
      CERTIFICATE_SERVICE_STREAM,
      certificateDecider,
      { type: 'ReplaceHttpsCertificate', ...httpsCertificateOf(chain) },
      request,
    );
    const replaced = store.views.get(target)!;
    return reply.header('Location', target).type('application/json; charset=utf-8').send(replaced.body);
  });
}
