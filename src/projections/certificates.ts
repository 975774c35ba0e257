import { X509Certificate } from 'node:crypto';
import type { RecordedEvent } from '../eventstore/event.js';
import { SERVICE_STREAM } from '../domain/service/service-events.js';
import { CERTIFICATE_SERVICE_STREAM, type CertificateEvent, type HttpsCertificate } from '../domain/certificates/certificate-events.js';
import { putIfChanged } from './aggregate-state.js';
import { linkFromServiceRoot } from './collection.js';
import { TOP_LEVEL_COLLECTIONS } from './service-root.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument, ViewWriter } from './projector.js';

const LOCATIONS = `${CERTIFICATE_SERVICE_STREAM}/CertificateLocations`;
export const REPLACE_CERTIFICATE = `${CERTIFICATE_SERVICE_STREAM}/Actions/CertificateService.ReplaceCertificate`;
/** Where Redfish puts a BMC's HTTPS certificate: under its NetworkProtocol. */
export const httpsCertificatesOf = (manager: string) => `${manager}/NetworkProtocol/HTTPS/Certificates`;
export const httpsCertificateUri = (manager: string) => `${httpsCertificatesOf(manager)}/1`;
/** The certificate HTTPS is served with, for managers registered after it (hidden). */
const SERVED = '#https-certificate';

/** A distinguished name as Redfish's Identifier: the OpenSSL short names to its properties. */
const NAME_FIELDS: Record<string, string> = { CN: 'CommonName', O: 'Organization', OU: 'OrganizationalUnit', L: 'City', ST: 'State', C: 'Country', emailAddress: 'Email' };
function identifier(name: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of name.split('\n')) {
    const at = line.indexOf('=');
    const property = NAME_FIELDS[line.slice(0, at)];
    if (property && fields[property] === undefined) fields[property] = line.slice(at + 1);
  }
  return fields;
}

/**
 * The CertificateService (ReplaceCertificate, CertificateLocations) and the HTTPS certificate the
 * service is served with, under each BMC's NetworkProtocol, as the certificate's events record
 * it: every BMC of the emulator answers on the one HTTPS endpoint, so all show the same one.
 */
export const certificatesProjector: Projector = {
  name: 'certificates',
  apply(recorded: RecordedEvent, views) {
    const { position } = recorded;
    if (recorded.streamId === SERVICE_STREAM && recorded.type === 'ServiceCreated') return createCertificateService(views, position);
    // A BMC registered after the certificate was recorded serves it too; without HTTPS, it says so.
    if (recorded.type === 'SystemRegistered') return render(views, position, views.get(SERVED)?.['https'] as HttpsCertificate | undefined);
    if (recorded.streamId !== CERTIFICATE_SERVICE_STREAM) return;
    const event = { type: recorded.type, data: recorded.data } as CertificateEvent;
    if (event.type !== 'HttpsCertificateFound' && event.type !== 'HttpsCertificateReplaced') return;
    views.put({ '@odata.id': SERVED, https: event.data }, position);
    render(views, position, event.data);
  },
};

function createCertificateService(views: ViewWriter, position: number): void {
  if (views.get(CERTIFICATE_SERVICE_STREAM)) return;
  views.put(
    {
      '@odata.id': CERTIFICATE_SERVICE_STREAM,
      '@odata.type': ODATA_TYPE.CertificateService,
      Id: 'CertificateService',
      Name: 'Certificate Service',
      CertificateLocations: { '@odata.id': LOCATIONS },
      Actions: { '#CertificateService.ReplaceCertificate': { target: REPLACE_CERTIFICATE, 'CertificateType@Redfish.AllowableValues': ['PEM'] } },
    },
    position,
  );
  views.put({ '@odata.id': LOCATIONS, '@odata.type': ODATA_TYPE.CertificateLocations, Id: 'CertificateLocations', Name: 'Certificate Locations', Links: { Certificates: [], 'Certificates@odata.count': 0 } }, position);
  linkFromServiceRoot(views, position, 'CertificateService', CERTIFICATE_SERVICE_STREAM);
}

/** Hex as Redfish writes serial numbers: pairs of digits joined by colons. */
const colonHex = (hex: string) => (hex.length % 2 ? `0${hex}` : hex).match(/../g)!.join(':');

function certificateDocument(odataId: string, served: HttpsCertificate): ViewDocument {
  const leaf = new X509Certificate(served.certificate);
  return {
    '@odata.id': odataId,
    '@odata.type': ODATA_TYPE.Certificate,
    Id: '1',
    Name: 'HTTPS certificate',
    CertificateString: served.certificate,
    CertificateType: 'PEM',
    CertificateUsageTypes: ['Web'],
    Subject: identifier(leaf.subject),
    Issuer: identifier(leaf.issuer),
    ValidNotBefore: new Date(leaf.validFrom).toISOString(),
    ValidNotAfter: new Date(leaf.validTo).toISOString(),
    SerialNumber: colonHex(leaf.serialNumber),
    Fingerprint: served.fingerprint,
    FingerprintHashAlgorithm: 'TPM_ALG_SHA256',
  };
}

/** Every BMC's NetworkProtocol (HTTPS on when a certificate is served), its certificate, and the locations. */
function render(views: ViewWriter, position: number, served: HttpsCertificate | undefined): void {
  const managers = ((views.get(TOP_LEVEL_COLLECTIONS.Managers.id)?.['Members'] ?? []) as { '@odata.id': string }[]).map((m) => m['@odata.id']);
  for (const manager of managers) {
    const protocol = `${manager}/NetworkProtocol`;
    putIfChanged(views, position, {
      '@odata.id': protocol,
      '@odata.type': ODATA_TYPE.ManagerNetworkProtocol,
      Id: 'NetworkProtocol',
      Name: 'BMC network protocols',
      HTTPS: served ? { ProtocolEnabled: true, Certificates: { '@odata.id': httpsCertificatesOf(manager) } } : { ProtocolEnabled: false },
    });
    if (served) {
      const members = [{ '@odata.id': httpsCertificateUri(manager) }];
      putIfChanged(views, position, { '@odata.id': httpsCertificatesOf(manager), '@odata.type': ODATA_TYPE.CertificateCollection, Name: 'HTTPS certificates', Members: members, 'Members@odata.count': 1 });
      putIfChanged(views, position, certificateDocument(httpsCertificateUri(manager), served));
    }
    const doc = views.get(manager);
    if (doc) putIfChanged(views, position, { ...doc, NetworkProtocol: { '@odata.id': protocol } });
  }
  const certificates = served ? managers.map((m) => ({ '@odata.id': httpsCertificateUri(m) })) : [];
  const locations = views.get(LOCATIONS);
  if (locations) putIfChanged(views, position, { ...locations, Links: { Certificates: certificates, 'Certificates@odata.count': certificates.length } });
}
