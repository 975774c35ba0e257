/**
 * The versioned `@odata.type` of each resource the views hold: one place to move a resource to
 * a newer schema version. Versions are the newest in DMTF's CSDL that the documents satisfy.
 */
export const ODATA_TYPE = {
  ServiceRoot: '#ServiceRoot.v1_20_0.ServiceRoot',
} as const;
