import type { RecordedEvent } from '../eventstore/event.js';
import type { ServiceCreated } from '../domain/service/service-events.js';
import type { Projector } from '../eventstore/projector.js';
import { ODATA_TYPE } from './odata-types.js';
import { assembledCollection } from '../views/assembled-collections.js';

/**
 * The collections every service has, as a BMC has them: present (empty) from the start, so a
 * client finds them before the lab's systems are registered, or when a lab has none yet.
 */
export const TOP_LEVEL_COLLECTIONS = {
  Systems: { id: '/redfish/v1/Systems', type: ODATA_TYPE.ComputerSystemCollection, name: 'Computer System Collection' },
  Managers: { id: '/redfish/v1/Managers', type: ODATA_TYPE.ManagerCollection, name: 'Manager Collection' },
  Chassis: { id: '/redfish/v1/Chassis', type: ODATA_TYPE.ChassisCollection, name: 'Chassis Collection' },
} as const;

/** The service root, /redfish/v1, and its collections. Other resource families add their links to it as they appear. */
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
        Systems: { '@odata.id': TOP_LEVEL_COLLECTIONS.Systems.id },
        Managers: { '@odata.id': TOP_LEVEL_COLLECTIONS.Managers.id },
        Chassis: { '@odata.id': TOP_LEVEL_COLLECTIONS.Chassis.id },
        SessionService: { '@odata.id': '/redfish/v1/SessionService' },
        AccountService: { '@odata.id': '/redfish/v1/AccountService' },
        Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } },
      },
      event.position,
    );
    for (const { id, type, name: collectionName } of Object.values(TOP_LEVEL_COLLECTIONS)) {
      if (!views.get(id))
        views.put(assembledCollection({ '@odata.id': id, '@odata.type': type, Name: collectionName }), event.position);
    }
  },
};
