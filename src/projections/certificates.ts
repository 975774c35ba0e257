import { managerOf } from './manager-and-chassis.js';
import { memberIdsOf } from '../views/assembled-collections.js';
import type { RecordedEvent } from '../eventstore/event.js';
import { SERVICE_STREAM } from '../domain/service/service-events.js';
import {
  CERTIFICATE_SERVICE_STREAM,
  type CertificateEvent,
  type HttpsCertificate,
} from '../domain/certificates/certificate-events.js';
import { putIfChanged } from './aggregate-state.js';
import { linkFromServiceRoot } from './collection.js';
import { TOP_LEVEL_COLLECTIONS } from './service-root.js';
import { ODATA_TYPE } from './odata-types.js';
import { certificateDocument } from './certificate-document.js';
import type { Projector, ViewDocument, ViewWriter } from '../eventstore/projector.js';

const LOCATIONS = `${CERTIFICATE_SERVICE_STREAM}/CertificateLocations`;
export const REPLACE_CERTIFICATE = `${CERTIFICATE_SERVICE_STREAM}/Actions/CertificateService.ReplaceCertificate`;
/** Where Redfish puts a BMC's HTTPS certificate: under its NetworkProtocol. */
export const httpsCertificatesOf = (manager: string) => `${manager}/NetworkProtocol/HTTPS/Certificates`;
export const httpsCertificateUri = (manager: string) => `${httpsCertificatesOf(manager)}/1`;
/** The certificate HTTPS is served with, for managers registered after it (hidden). */
const SERVED = '#https-certificate';

/**
 * The CertificateService (ReplaceCertificate, CertificateLocations) and the HTTPS certificate the
 * service is served with, under each BMC's NetworkProtocol, as the certificate's events record
 * it: every BMC of the emulator answers on the one HTTPS endpoint, so all show the same one.
 */
export const certificatesProjector: Projector = {
  name: 'certificates',
  apply(recorded: RecordedEvent, views) {
    const { position } = recorded;
    if (recorded.streamId === SERVICE_STREAM && recorded.type === 'ServiceCreated')
      return createCertificateService(views, position);
    // A BMC registered after the certificate was recorded serves it too; without HTTPS, it says so.
    // Only its own BMC changes: rendering every BMC at each registration made a lab's first start quadratic.
    if (recorded.type === 'SystemRegistered')
      return render(views, position, views.get(SERVED)?.['https'] as HttpsCertificate | undefined, [
        managerOf((recorded.data as { systemId: string }).systemId),
      ]);
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
      Actions: {
        '#CertificateService.ReplaceCertificate': {
          target: REPLACE_CERTIFICATE,
          'CertificateType@Redfish.AllowableValues': ['PEM'],
        },
      },
    },
    position,
  );
  views.put(
    {
      '@odata.id': LOCATIONS,
      '@odata.type': ODATA_TYPE.CertificateLocations,
      Id: 'CertificateLocations',
      Name: 'Certificate Locations',
      Links: { Certificates: [], 'Certificates@odata.count': 0 },
    },
    position,
  );
  linkFromServiceRoot(views, position, 'CertificateService', CERTIFICATE_SERVICE_STREAM);
}

/** The HTTPS certificate as a Certificate resource: its leaf described, the chain as served. */
function httpsCertificateDocument(odataId: string, served: HttpsCertificate): ViewDocument {
  return {
    ...certificateDocument(odataId, '1', served.certificate),
    Name: 'HTTPS certificate',
    CertificateUsageTypes: ['Web'],
  };
}

/** Each BMC's NetworkProtocol (HTTPS on when a certificate is served), its certificate (of every BMC, or those `changed`), and the locations. */
function render(
  views: ViewWriter,
  position: number,
  served: HttpsCertificate | undefined,
  changed?: readonly string[],
): void {
  // Listed only when needed: a registration without HTTPS renders its own BMC and nothing else.
  let managers: string[] | undefined;
  const allManagers = () => (managers ??= memberIdsOf(views, TOP_LEVEL_COLLECTIONS.Managers.id));
  for (const manager of changed ?? allManagers()) {
    const protocol = `${manager}/NetworkProtocol`;
    putIfChanged(views, position, {
      '@odata.id': protocol,
      '@odata.type': ODATA_TYPE.ManagerNetworkProtocol,
      Id: 'NetworkProtocol',
      Name: 'BMC network protocols',
      HTTPS: served
        ? { ProtocolEnabled: true, Certificates: { '@odata.id': httpsCertificatesOf(manager) } }
        : { ProtocolEnabled: false },
    });
    if (served) {
      const members = [{ '@odata.id': httpsCertificateUri(manager) }];
      putIfChanged(views, position, {
        '@odata.id': httpsCertificatesOf(manager),
        '@odata.type': ODATA_TYPE.CertificateCollection,
        Name: 'HTTPS certificates',
        Members: members,
        'Members@odata.count': 1,
      });
      putIfChanged(views, position, httpsCertificateDocument(httpsCertificateUri(manager), served));
    }
    const doc = views.get(manager);
    if (doc) putIfChanged(views, position, { ...doc, NetworkProtocol: { '@odata.id': protocol } });
  }
  setCertificateLocations(
    views,
    position,
    (uri) => uri.includes('/NetworkProtocol/HTTPS/Certificates/'),
    served ? allManagers().map(httpsCertificateUri) : [],
  );
}

/**
 * CertificateLocations lists every certificate the service holds; each kind (the HTTPS one, a
 * virtual media drive's) keeps its own entries, those `mine` recognises, as `uris`.
 */
export function setCertificateLocations(
  views: ViewWriter,
  position: number,
  mine: (uri: string) => boolean,
  uris: readonly string[],
): void {
  const locations = views.get(LOCATIONS);
  if (!locations) return;
  const others = (
    (locations['Links'] as { Certificates?: { '@odata.id': string }[] } | undefined)?.Certificates ?? []
  ).filter((c) => !mine(c['@odata.id']));
  const certificates = [...others, ...uris.map((uri) => ({ '@odata.id': uri }))];
  putIfChanged(views, position, {
    ...locations,
    Links: { Certificates: certificates, 'Certificates@odata.count': certificates.length },
  });
}
