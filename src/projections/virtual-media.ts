import type { RecordedEvent } from '../eventstore/event.js';
import { MEDIA_DEVICES, type MediaDevice, type SystemEvent } from '../domain/system/system-events.js';
import { setMembers } from './collection.js';
import { managerOf } from './manager-and-chassis.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument } from './projector.js';

const LABELS: Record<MediaDevice, { name: string; types: string[] }> = {
  Cd: { name: 'Virtual CD', types: ['CD', 'DVD'] },
  Floppy: { name: 'Virtual Floppy', types: ['Floppy'] },
};

/** Where a system's virtual media live: under its BMC, where clients look for them. */
export const virtualMediaOf = (systemId: string) => `${managerOf(systemId)}/VirtualMedia`;

function emptyDrive(collection: string, device: MediaDevice): ViewDocument {
  const id = `${collection}/${device}`;
  return {
    '@odata.id': id,
    '@odata.type': ODATA_TYPE.VirtualMedia,
    Id: device,
    Name: LABELS[device].name,
    MediaTypes: LABELS[device].types,
    Image: null,
    ImageName: null,
    Inserted: false,
    WriteProtected: true,
    ConnectedVia: 'NotConnected',
    TransferMethod: 'Upload',
    Status: { State: 'Enabled', Health: 'OK' },
    Actions: {
      '#VirtualMedia.InsertMedia': { target: `${id}/Actions/VirtualMedia.InsertMedia` },
      '#VirtualMedia.EjectMedia': { target: `${id}/Actions/VirtualMedia.EjectMedia` },
    },
  };
}

/**
 * Each system's virtual media drives. A drive shows the image asked for as soon as it is asked
 * (Inserted) and is empty as soon as an eject is asked; it goes back to empty, with a Warning, if
 * fetching or attaching the image failed.
 */
export const virtualMediaProjector: Projector = {
  name: 'virtual-media',
  apply(recorded: RecordedEvent, views) {
    if (!recorded.streamId.startsWith('/redfish/v1/Systems/')) return;
    const systemId = recorded.streamId.split('/').pop()!;
    const collection = virtualMediaOf(systemId);
    const { position } = recorded;
    const event = { type: recorded.type, data: recorded.data } as SystemEvent;
    if (event.type === 'SystemRegistered') {
      if (views.get(collection)) return;
      setMembers(views, position, collection, ODATA_TYPE.VirtualMediaCollection, 'Virtual Media Collection', MEDIA_DEVICES);
      for (const device of MEDIA_DEVICES) views.put(emptyDrive(collection, device), position);
      const manager = views.get(managerOf(systemId));
      if (manager) {
        manager['VirtualMedia'] = { '@odata.id': collection };
        views.put(manager, position);
      }
      return;
    }
    if (!event.type.startsWith('VirtualMedia')) return;
    const device = (event.data as { device: MediaDevice }).device;
    const drive = views.get(`${collection}/${device}`);
    if (!drive) return;
    switch (event.type) {
      case 'VirtualMediaInsertRequested':
        Object.assign(drive, { Image: event.data.image, ImageName: event.data.image.split('/').pop() ?? null, Inserted: true, ConnectedVia: 'URI', Status: { State: 'Enabled', Health: 'OK' } });
        break;
      case 'VirtualMediaInsertFailed':
        // An image asked for since the failed one stays shown.
        if (drive['Image'] !== event.data.image) return;
        Object.assign(drive, { Image: null, ImageName: null, Inserted: false, ConnectedVia: 'NotConnected', Status: { State: 'Enabled', Health: 'Warning' } });
        break;
      case 'VirtualMediaEjectRequested':
        // Empty from the moment the eject is accepted, as an insert shows at once; libvirt follows.
        Object.assign(drive, { Image: null, ImageName: null, Inserted: false, ConnectedVia: 'NotConnected', Status: { State: 'Enabled', Health: 'OK' } });
        break;
      default:
        return;
    }
    views.put(drive, position);
  },
};
