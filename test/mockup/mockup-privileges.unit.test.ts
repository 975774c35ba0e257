import { describe, expect, it } from 'vitest';
import { mockupRequirement } from '../../src/mockup/mockup-privileges.js';

const doc = (id: string, type: string) => [id, { '@odata.id': id, '@odata.type': type }] as const;
const tree = new Map<string, Record<string, unknown>>([
  doc('/redfish/v1/Systems/1', '#ComputerSystem.v1_20_0.ComputerSystem'),
  doc('/redfish/v1/Systems/1/Bios/Settings', '#Bios.v1_2_3.Bios'),
  doc('/redfish/v1/Managers/BMC', '#Manager.v1_19_0.Manager'),
  doc('/redfish/v1/Managers/BMC/EthernetInterfaces/1', '#EthernetInterface.v1_12_0.EthernetInterface'),
  doc('/redfish/v1/Managers/BMC/VirtualMedia/CD1', '#VirtualMedia.v1_6_0.VirtualMedia'),
  doc('/redfish/v1/AccountService/Accounts', '#ManagerAccountCollection.ManagerAccountCollection'),
  doc('/redfish/v1/CertificateService', '#CertificateService.v1_0_5.CertificateService'),
]);
const needed = (path: string) => mockupRequirement(path, tree)?.anyOf;

describe("a mockup lab's privileges", () => {
  it('are those the privilege registry gives the type of the resource a change names', () => {
    expect(needed('/redfish/v1/Systems/1')).toEqual(['ConfigureComponents']);
    expect(needed('/redfish/v1/Systems/1/Bios/Settings')).toEqual(['ConfigureComponents']);
    expect(needed('/redfish/v1/Managers/BMC')).toEqual(['ConfigureManager']);
    expect(needed('/redfish/v1/CertificateService')).toEqual(['ConfigureManager']);
    // A POST to a collection: its members' type.
    expect(needed('/redfish/v1/AccountService/Accounts')).toEqual(['ConfigureUsers']);
  });

  it("give what hangs off a Manager to ConfigureManager, but VirtualMedia, and an action its resource's", () => {
    expect(needed('/redfish/v1/Managers/BMC/EthernetInterfaces/1')).toEqual(['ConfigureManager']);
    expect(needed('/redfish/v1/Managers/BMC/VirtualMedia/CD1')).toEqual(['ConfigureComponents']);
    expect(needed('/redfish/v1/Managers/BMC/Actions/Manager.Reset')).toEqual(['ConfigureManager']);
    expect(needed('/redfish/v1/Systems/1/Actions/ComputerSystem.Reset')).toEqual(['ConfigureComponents']);
  });

  it('leave a path the tree does not have to the route', () => {
    expect(needed('/redfish/v1/Nowhere')).toBeUndefined();
  });
});
