import type { RecordedEvent } from '../eventstore/event.js';
import type { ServiceCreated } from '../domain/service/service-events.js';
import type { SystemRegistered } from '../domain/system/system-events.js';
import { addMember, linkFromServiceRoot } from './collection.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument } from './projector.js';

export const MANAGER = '/redfish/v1/Managers/BMC';
const MANAGERS = '/redfish/v1/Managers';
const CHASSIS = '/redfish/v1/Chassis';

type Link = { '@odata.id': string };

/** Adds a link to an array of links in a document's Links, once. */
function link(doc: ViewDocument, property: string, target: string): void {
  const links = (doc['Links'] ??= {}) as Record<string, Link[]>;
  const list = (links[property] ??= []);
  if (!list.some((l) => l['@odata.id'] === target)) list.push({ '@odata.id': target });
}

/**
 * The emulator itself as the Manager (the BMC) of every system, and one Chassis per system (a
 * server is its own enclosure), linked both ways as a rack server's resources are.
 */
export const managerAndChassisProjector: Projector = {
  name: 'manager-and-chassis',
  apply(event: RecordedEvent, views) {
    const { position } = event;
    if (event.type === 'ServiceCreated') {
      const { uuid, name } = event.data as ServiceCreated['data'];
      views.put(
        {
          '@odata.id': MANAGER,
          '@odata.type': ODATA_TYPE.Manager,
          Id: 'BMC',
          Name: name,
          ManagerType: 'BMC',
          UUID: uuid,
          Model: 'redfish-emulator',
          PowerState: 'On',
          Status: { State: 'Enabled', Health: 'OK' },
          Links: { ManagerForServers: [], ManagerForChassis: [] },
        },
        position,
      );
      addMember(views, position, { id: MANAGERS, type: ODATA_TYPE.ManagerCollection, name: 'Manager Collection' }, MANAGER);
      linkFromServiceRoot(views, position, 'Managers', MANAGERS);
      return;
    }
    if (event.type !== 'SystemRegistered') return;
    const { systemId, name } = event.data as SystemRegistered['data'];
    const system = event.streamId;
    const chassis = `${CHASSIS}/${systemId}`;
    views.put(
      {
        '@odata.id': chassis,
        '@odata.type': ODATA_TYPE.Chassis,
        Id: systemId,
        Name: `${name} chassis`,
        ChassisType: 'RackMount',
        Status: { State: 'Enabled', Health: 'OK' },
        Links: { ComputerSystems: [{ '@odata.id': system }], ManagedBy: [{ '@odata.id': MANAGER }] },
      },
      position,
    );
    addMember(views, position, { id: CHASSIS, type: ODATA_TYPE.ChassisCollection, name: 'Chassis Collection' }, chassis);
    linkFromServiceRoot(views, position, 'Chassis', CHASSIS);
    const manager = views.get(MANAGER);
    if (manager) {
      link(manager, 'ManagerForServers', system);
      link(manager, 'ManagerForChassis', chassis);
      views.put(manager, position);
    }
    const systemDoc = views.get(system);
    if (systemDoc) {
      link(systemDoc, 'Chassis', chassis);
      link(systemDoc, 'ManagedBy', MANAGER);
      views.put(systemDoc, position);
    }
  },
};
