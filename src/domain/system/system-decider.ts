import type { Decider } from '../decider.js';
import { problem } from '../problem.js';
import type { DomainObserved, PowerState, ResetApplied, ResetType, SystemEvent, SystemRegistered } from './system-events.js';

export type RegisterSystem = { readonly type: 'RegisterSystem' } & SystemRegistered['data'];
export type ObserveDomain = { readonly type: 'ObserveDomain' } & DomainObserved['data'];
export interface ObservePowerState {
  readonly type: 'ObservePowerState';
  readonly powerState: PowerState;
}
export interface ObserveDomainMissing {
  readonly type: 'ObserveDomainMissing';
}

/** ComputerSystem.Reset, its ResetType already checked against the allowable values. */
export interface ResetSystem {
  readonly type: 'ResetSystem';
  readonly resetType: ResetType;
}
export type RecordResetOutcome = { readonly type: 'RecordResetOutcome'; readonly message?: string } & ResetApplied['data'];

export type SystemCommand = RegisterSystem | ObserveDomain | ObservePowerState | ObserveDomainMissing | ResetSystem | RecordResetOutcome;

export interface SystemState {
  readonly registration?: SystemRegistered['data'];
  readonly domain?: DomainObserved['data'];
  readonly powerState?: PowerState;
  readonly domainMissing: boolean;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One emulated server. Registration comes from the lab config, the rest from what libvirt is
 * observed to hold; each is recorded only when it changes, so a resync every few seconds adds
 * nothing to the log while nothing happens.
 */
export const systemDecider: Decider<SystemCommand, SystemEvent, SystemState> = {
  initialState: { domainMissing: false },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterSystem': {
        const { type: _, ...data } = command;
        return sameJson(state.registration, data) ? [] : [{ type: 'SystemRegistered', data }];
      }
      case 'ObserveDomain': {
        const { type: _, ...data } = command;
        return sameJson(state.domain, data) && !state.domainMissing ? [] : [{ type: 'DomainObserved', data }];
      }
      case 'ObservePowerState':
        return state.powerState === command.powerState && !state.domainMissing
          ? []
          : [{ type: 'PowerStateObserved', data: { powerState: command.powerState } }];
      case 'ObserveDomainMissing':
        return state.domainMissing || !state.registration
          ? []
          : [{ type: 'DomainMissingObserved', data: { domainName: state.registration.domainName } }];
      case 'ResetSystem':
        // Without its domain the server cannot be powered: like a BMC whose host is gone.
        if (state.domainMissing) return problem(409, 'ResourceInUse');
        return [{ type: 'ResetRequested', data: { resetType: command.resetType } }];
      case 'RecordResetOutcome': {
        const { resetType, requestedAt, message } = command;
        return message === undefined
          ? [{ type: 'ResetApplied', data: { resetType, requestedAt } }]
          : [{ type: 'ResetFailed', data: { resetType, requestedAt, message } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'SystemRegistered':
        return { ...state, registration: event.data };
      case 'DomainObserved':
        return { ...state, domain: event.data, domainMissing: false };
      case 'PowerStateObserved':
        return { ...state, powerState: event.data.powerState, domainMissing: false };
      case 'DomainMissingObserved':
        // Whatever was known of its power no longer holds: the next observation is news.
        return { ...state, domainMissing: true, powerState: undefined };
      case 'ResetRequested':
      case 'ResetApplied':
      case 'ResetFailed':
        return state;
    }
  },
};
