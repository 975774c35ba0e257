/**
 * The versioned `@odata.type` of each resource the views hold: one place to move a resource to
 * a newer schema version. Versions are the newest in DMTF's CSDL that the documents satisfy.
 */
export const ODATA_TYPE = {
  ServiceRoot: '#ServiceRoot.v1_20_0.ServiceRoot',
  ComputerSystemCollection: '#ComputerSystemCollection.ComputerSystemCollection',
  ComputerSystem: '#ComputerSystem.v1_27_0.ComputerSystem',
  ActionInfo: '#ActionInfo.v1_5_0.ActionInfo',
} as const;
