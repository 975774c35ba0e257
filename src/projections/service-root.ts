import type { RecordedEvent } from '../eventstore/event.js';
import type { ServiceCreated } from '../domain/service/service-events.js';
import type { Projector } from './projector.js';
import { ODATA_TYPE } from './odata-types.js';

/** The service root, /redfish/v1. Resource families add their links to it as they appear. */
export const serviceRootProjector: Projector = {
  name: 'service-root',
  apply(event: RecordedEvent, views) {
    if (event.type !== 'ServiceCreated') return;
    const { uuid, name, product, redfishVersion } = event.data as ServiceCreated['data'];
    views.put(
      {
        '@odata.id': '/redfish/v1',
        '@odata.type': ODATA_TYPE.ServiceRoot,
        Id: 'RootService',
        Name: name,
        Product: product,
        RedfishVersion: redfishVersion,
        UUID: uuid,
        SessionService: { '@odata.id': '/redfish/v1/SessionService' },
        AccountService: { '@odata.id': '/redfish/v1/AccountService' },
        Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } },
      },
      event.position,
    );
  },
};
