/** The stream that holds the service's own identity. */
export const SERVICE_STREAM = '/redfish/v1';

/** The Redfish service came into being: its UUID and name stay the same for the life of the log. */
export interface ServiceCreated {
  readonly type: 'ServiceCreated';
  readonly data: {
    readonly uuid: string;
    readonly name: string;
    readonly product: string;
    readonly redfishVersion: string;
  };
}

export type ServiceEvent = ServiceCreated;
