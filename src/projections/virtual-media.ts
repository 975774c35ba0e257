import type { RecordedEvent } from '../eventstore/event.js';
import { MEDIA_DEVICES, type MediaDevice, type SystemEvent } from '../domain/system/system-events.js';
import { setMembers } from './collection.js';
import { managerOf } from './manager-and-chassis.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument, ViewWriter } from '../eventstore/projector.js';
import { putIfChanged, storedState } from './aggregate-state.js';
import { certificateDocument } from './certificate-document.js';
import { setCertificateLocations } from './certificates.js';
import { conditionOf } from './condition.js';
import { systemDecider, type SystemState } from '../domain/system/system-decider.js';
import { trustOf, verifiesCertificates, type MediaTrust } from '../domain/system/media-trust.js';
import { systemIdOfStream } from '../domain/stream-ids.js';

const LABELS: Record<MediaDevice, { name: string; types: string[] }> = {
  Cd: { name: 'Virtual CD', types: ['CD', 'DVD'] },
  Floppy: { name: 'Virtual Floppy', types: ['Floppy'] },
};

/** Where a system's virtual media live: under its BMC, where clients look for them. */
export const virtualMediaOf = (systemId: string) => `${managerOf(systemId)}/VirtualMedia`;

/** What a drive shows of the image it holds; every one of these goes back to null when it is empty. */
const EMPTY = {
  Image: null,
  ImageName: null,
  Inserted: false,
  ConnectedVia: 'NotConnected',
  TransferProtocolType: null,
  UserName: null,
} as const;

const RESOLUTION = 'Check the image URL, the image server and its certificate, then insert the image again.';

function emptyDrive(collection: string, device: MediaDevice): ViewDocument {
  const id = `${collection}/${device}`;
  return {
    '@odata.id': id,
    '@odata.type': ODATA_TYPE.VirtualMedia,
    Id: device,
    Name: LABELS[device].name,
    MediaTypes: LABELS[device].types,
    ...EMPTY,
    WriteProtected: true,
    TransferMethod: 'Upload',
    VerifyCertificate: false,
    Certificates: { '@odata.id': `${id}/Certificates` },
    Status: { State: 'Enabled', Health: 'OK' },
    Actions: {
      '#VirtualMedia.InsertMedia': { target: `${id}/Actions/VirtualMedia.InsertMedia` },
      '#VirtualMedia.EjectMedia': { target: `${id}/Actions/VirtualMedia.EjectMedia` },
    },
  };
}

/** A drive's Certificates collection and its members, as the system's state holds them. */
function renderCertificates(views: ViewWriter, position: number, driveId: string, trust: MediaTrust): void {
  const collection = `${driveId}/Certificates`;
  const ids = Object.keys(trust.certificates).sort((a, b) => Number(a) - Number(b));
  const gone = setMembers(
    views,
    position,
    collection,
    ODATA_TYPE.CertificateCollection,
    'Certificates of the image server',
    ids,
  );
  for (const id of gone) views.delete(id);
  for (const id of ids)
    putIfChanged(views, position, certificateDocument(`${collection}/${id}`, id, trust.certificates[id]!));
  setCertificateLocations(
    views,
    position,
    (uri) => uri.startsWith(`${collection}/`),
    ids.map((id) => `${collection}/${id}`),
  );
}

/**
 * Each system's virtual media drives. A drive shows the image asked for as soon as it is asked
 * (Inserted) and is empty as soon as an eject is asked; it goes back to empty, with a Warning
 * and the reason as a condition, if fetching or attaching the image failed. VerifyCertificate and
 * the Certificates collection follow the system's state (the lab's default until a client sets it).
 */
export const virtualMediaProjector: Projector = {
  name: 'virtual-media',
  apply(recorded: RecordedEvent, views) {
    const systemId = systemIdOfStream(recorded.streamId);
    if (systemId === undefined) return;
    const collection = virtualMediaOf(systemId);
    const { position } = recorded;
    const event = { type: recorded.type, data: recorded.data } as SystemEvent;
    if (event.type === 'SystemRegistered') {
      if (!views.get(collection)) {
        setMembers(
          views,
          position,
          collection,
          ODATA_TYPE.VirtualMediaCollection,
          'Virtual Media Collection',
          MEDIA_DEVICES,
        );
        for (const device of MEDIA_DEVICES) {
          views.put(emptyDrive(collection, device), position);
          renderCertificates(views, position, `${collection}/${device}`, trustOf({}, device));
        }
        const manager = views.get(managerOf(systemId));
        if (manager) {
          manager['VirtualMedia'] = { '@odata.id': collection };
          views.put(manager, position);
        }
      }
      // The lab's VerifyCertificate default may have changed with the config.
      const state = storedState<SystemState>(views, recorded.streamId) ?? systemDecider.initialState;
      for (const device of MEDIA_DEVICES) {
        const drive = views.get(`${collection}/${device}`);
        if (drive)
          putIfChanged(views, position, {
            ...drive,
            VerifyCertificate: verifiesCertificates(state.mediaTrust, device, event.data.mediaVerifyCertificate),
          });
      }
      return;
    }
    if (!event.type.startsWith('VirtualMedia')) return;
    const device = (event.data as { device: MediaDevice }).device;
    const driveId = `${collection}/${device}`;
    const drive = views.get(driveId);
    if (!drive) return;
    switch (event.type) {
      case 'VirtualMediaInsertRequested': {
        const { image, userName, transferProtocol } = event.data;
        Object.assign(drive, {
          ...EMPTY,
          Image: image,
          ImageName: image.split('/').pop() ?? null,
          Inserted: true,
          ConnectedVia: 'URI',
          TransferProtocolType: transferProtocol ?? null,
          UserName: userName ?? null,
          Status: { State: 'Enabled', Health: 'OK' },
        });
        break;
      }
      case 'VirtualMediaDownloadProgressed':
        // While the image is fetched, the drive says how far it has got.
        if (drive['Image'] !== event.data.image) return;
        drive['Status'] = {
          State: 'Starting',
          Health: 'OK',
          Conditions: [conditionOf(recorded, 'None: the image is being fetched.')],
        };
        break;
      case 'VirtualMediaInserted':
        if (drive['Image'] !== event.data.image) return;
        drive['Status'] = { State: 'Enabled', Health: 'OK' };
        break;
      case 'VirtualMediaInsertFailed':
        // An image asked for since the failed one stays shown.
        if (drive['Image'] !== event.data.image) return;
        Object.assign(drive, {
          ...EMPTY,
          Status: { State: 'Enabled', Health: 'Warning', Conditions: [conditionOf(recorded, RESOLUTION)] },
        });
        break;
      case 'VirtualMediaEjectRequested':
        // Empty from the moment the eject is accepted, as an insert shows at once; libvirt follows.
        Object.assign(drive, { ...EMPTY, Status: { State: 'Enabled', Health: 'OK' } });
        break;
      case 'VirtualMediaVerificationChanged':
        drive['VerifyCertificate'] = event.data.verify;
        break;
      case 'VirtualMediaCertificateAdded':
      case 'VirtualMediaCertificateReplaced':
      case 'VirtualMediaCertificateRemoved': {
        const state = storedState<SystemState>(views, recorded.streamId) ?? systemDecider.initialState;
        renderCertificates(views, position, driveId, trustOf(state.mediaTrust, device));
        return;
      }
      default:
        return;
    }
    views.put(drive, position);
  },
};
