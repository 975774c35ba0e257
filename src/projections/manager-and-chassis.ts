import type { RecordedEvent } from '../eventstore/event.js';
import type { IndicatorChanged, SystemRegistered } from '../domain/system/system-events.js';
import { addMember } from './collection.js';
import { TOP_LEVEL_COLLECTIONS } from './service-root.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector } from '../eventstore/projector.js';

const MANAGERS = TOP_LEVEL_COLLECTIONS.Managers.id;
const CHASSIS = TOP_LEVEL_COLLECTIONS.Chassis.id;

/** The BMC of a system: each emulated server has its own, named after it. */
export const managerOf = (systemId: string) => `${MANAGERS}/${systemId}`;
export const chassisOf = (systemId: string) => `${CHASSIS}/${systemId}`;

/**
 * Each system's Manager (its BMC) and Chassis (a server is its own enclosure), linked both ways
 * as a rack server's resources are.
 */
export const managerAndChassisProjector: Projector = {
  name: 'manager-and-chassis',
  apply(event: RecordedEvent, views) {
    // The machine has one locator light: the system's and its chassis' are the same.
    if (event.type === 'IndicatorChanged') {
      const { led } = event.data as IndicatorChanged['data'];
      const chassis = views.get(chassisOf(event.streamId.split('/').pop()!));
      if (chassis) views.put({ ...chassis, LocationIndicatorActive: led !== 'Off' }, event.position);
      return;
    }
    if (event.type !== 'SystemRegistered') return;
    const { position } = event;
    const { systemId, name } = event.data as SystemRegistered['data'];
    const system = event.streamId;
    const manager = managerOf(systemId);
    const chassis = chassisOf(systemId);
    // Registered again (its config changed): what other projectors added (VirtualMedia,
    // LogServices, Drives links) stays; only what registration says is rewritten.
    const knownManager = views.get(manager) ?? {};
    const knownChassis = views.get(chassis) ?? {};
    views.put(
      {
        ...knownManager,
        '@odata.id': manager,
        '@odata.type': ODATA_TYPE.Manager,
        Id: systemId,
        Name: `${name} BMC`,
        ManagerType: 'BMC',
        Model: 'redfish-emulator',
        PowerState: 'On',
        Status: { State: 'Enabled', Health: 'OK' },
        Links: { ManagerForServers: [{ '@odata.id': system }], ManagerForChassis: [{ '@odata.id': chassis }] },
      },
      position,
    );
    views.put(
      {
        ...knownChassis,
        '@odata.id': chassis,
        '@odata.type': ODATA_TYPE.Chassis,
        Id: systemId,
        Name: `${name} chassis`,
        ChassisType: 'RackMount',
        LocationIndicatorActive: knownChassis['LocationIndicatorActive'] ?? false,
        Status: { State: 'Enabled', Health: 'OK' },
        Links: {
          ...(knownChassis['Links'] as object | undefined),
          ComputerSystems: [{ '@odata.id': system }],
          ManagedBy: [{ '@odata.id': manager }],
        },
      },
      position,
    );
    addMember(views, position, TOP_LEVEL_COLLECTIONS.Managers, manager);
    addMember(views, position, TOP_LEVEL_COLLECTIONS.Chassis, chassis);
    const systemDoc = views.get(system);
    if (systemDoc) {
      systemDoc['Links'] = {
        ...(systemDoc['Links'] as object | undefined),
        Chassis: [{ '@odata.id': chassis }],
        ManagedBy: [{ '@odata.id': manager }],
      };
      views.put(systemDoc, position);
    }
  },
};
