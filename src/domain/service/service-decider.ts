import type { Decider } from '../decider.js';
import type { ServiceEvent } from './service-events.js';

export interface CreateService {
  readonly type: 'CreateService';
  /** Chosen by the caller (random at first start), so decide stays pure. */
  readonly uuid: string;
  readonly name: string;
  readonly product: string;
  readonly redfishVersion: string;
}

export interface ServiceState {
  readonly created: boolean;
}

/** The service identity is created once; asking again changes nothing, so start-up can always ask. */
export const serviceDecider: Decider<CreateService, ServiceEvent, ServiceState> = {
  initialState: { created: false },
  decide(command, state) {
    if (state.created) return [];
    const { uuid, name, product, redfishVersion } = command;
    return [{ type: 'ServiceCreated', data: { uuid, name, product, redfishVersion } }];
  },
  evolve(state, event) {
    return event.type === 'ServiceCreated' ? { created: true } : state;
  },
};
