import type { Decider } from '../decider.js';
import { problem } from '../problem.js';
import {
  DEFAULT_DELIVERY,
  subscriptionUri,
  type EventServiceEvent,
  type SubscriptionSpec,
} from './event-service-events.js';

/** POST to Subscriptions, its body already read. The id is the decider's to give. */
export interface CreateSubscription {
  readonly type: 'CreateSubscription';
  readonly spec: SubscriptionSpec;
}
export interface DeleteSubscription {
  readonly type: 'DeleteSubscription';
  readonly subscriptionId: string;
}
/** The dispatcher gave up on a destination (TerminateAfterRetries). */
export interface TerminateSubscription {
  readonly type: 'TerminateSubscription';
  readonly subscriptionId: string;
  readonly message: string;
}
export interface SuspendSubscription {
  readonly type: 'SuspendSubscription';
  readonly subscriptionId: string;
  readonly reason: 'DeliveryFailed' | 'Requested';
  readonly message?: string;
}
export interface ResumeSubscription {
  readonly type: 'ResumeSubscription';
  readonly subscriptionId: string;
  /** ISO 8601: events recorded before it are not delivered (DeliverBufferedEventDuration, resolved by the caller). */
  readonly deliverBufferedSince?: string;
}
/** PATCH of the EventService: the settings given change, the others stay. */
export interface ChangeEventService {
  readonly type: 'ChangeEventService';
  readonly deliveryRetryAttempts?: number;
  readonly deliveryRetryIntervalSeconds?: number;
}

/** PATCH of a subscription's Context. */
export interface ChangeSubscriptionContext {
  readonly type: 'ChangeSubscriptionContext';
  readonly subscriptionId: string;
  readonly context: string | null;
}

export type EventServiceCommand =
  | ChangeSubscriptionContext
  | CreateSubscription
  | DeleteSubscription
  | TerminateSubscription
  | SuspendSubscription
  | ResumeSubscription
  | ChangeEventService;

export interface SubscriptionRecord {
  readonly subscriptionId: string;
  readonly suspended: boolean;
  /** Absent in a state folded before Context could change: then a change is always recorded. */
  readonly context?: string | null;
}

export interface EventServiceState {
  readonly deliveryRetryAttempts: number;
  readonly deliveryRetryIntervalSeconds: number;
  readonly subscriptions: Readonly<Record<string, SubscriptionRecord>>;
  /** Ids are never reused: a deleted subscription's URI never names another. */
  readonly subscriptionsEverCreated: number;
}

/** Push subscriptions the service keeps at most (SSE connections are not counted). */
export const MAX_SUBSCRIPTIONS = 64;

/** Only http and https destinations can take the Redfish protocol's POSTs. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * The EventService and its push subscriptions. Creating one is refused past MAX_SUBSCRIPTIONS or
 * for a destination that is not an http(s) URL; suspending, resuming and the dispatcher's
 * terminations are idempotent, so a retried command changes nothing.
 */
export const eventServiceDecider: Decider<EventServiceCommand, EventServiceEvent, EventServiceState> = {
  initialState: { ...DEFAULT_DELIVERY, subscriptions: {}, subscriptionsEverCreated: 0 },

  decide(command, state) {
    switch (command.type) {
      case 'CreateSubscription': {
        const { spec } = command;
        if (!isHttpUrl(spec.destination))
          return problem(400, 'PropertyValueFormatError', [spec.destination, 'Destination'], ['/Destination']);
        if (spec.protocol !== 'Redfish')
          return problem(400, 'PropertyValueNotInList', [String(spec.protocol), 'Protocol'], ['/Protocol']);
        if (Object.keys(state.subscriptions).length >= MAX_SUBSCRIPTIONS)
          return problem(400, 'EventSubscriptionLimitExceeded');
        const subscriptionId = String(state.subscriptionsEverCreated + 1);
        return [
          { type: 'SubscriptionCreated', subject: subscriptionUri(subscriptionId), data: { subscriptionId, ...spec } },
        ];
      }
      case 'ChangeSubscriptionContext': {
        const { subscriptionId, context } = command;
        const subscription = state.subscriptions[subscriptionId];
        if (!subscription) return problem(404, 'ResourceNotFound', ['EventDestination', subscriptionId]);
        if (subscription.context === context) return [];
        return [
          {
            type: 'SubscriptionContextChanged',
            subject: subscriptionUri(subscriptionId),
            data: { subscriptionId, context },
          },
        ];
      }
      case 'DeleteSubscription': {
        if (!state.subscriptions[command.subscriptionId])
          return problem(404, 'ResourceNotFound', ['EventDestination', command.subscriptionId]);
        return [
          {
            type: 'SubscriptionDeleted',
            subject: subscriptionUri(command.subscriptionId),
            data: { subscriptionId: command.subscriptionId },
          },
        ];
      }
      case 'TerminateSubscription': {
        // Deleted by a client meanwhile: nothing left to terminate.
        if (!state.subscriptions[command.subscriptionId]) return [];
        return [
          {
            type: 'SubscriptionTerminated',
            subject: subscriptionUri(command.subscriptionId),
            data: { subscriptionId: command.subscriptionId, message: command.message },
          },
        ];
      }
      case 'SuspendSubscription': {
        const subscription = state.subscriptions[command.subscriptionId];
        if (!subscription) return problem(404, 'ResourceNotFound', ['EventDestination', command.subscriptionId]);
        if (subscription.suspended) return [];
        const { subscriptionId, reason, message } = command;
        return [
          {
            type: 'SubscriptionSuspended',
            subject: subscriptionUri(subscriptionId),
            data: { subscriptionId, reason, ...(message !== undefined && { message }) },
          },
        ];
      }
      case 'ResumeSubscription': {
        const subscription = state.subscriptions[command.subscriptionId];
        if (!subscription) return problem(404, 'ResourceNotFound', ['EventDestination', command.subscriptionId]);
        if (!subscription.suspended) return [];
        const { subscriptionId, deliverBufferedSince } = command;
        return [
          {
            type: 'SubscriptionResumed',
            subject: subscriptionUri(subscriptionId),
            data: { subscriptionId, ...(deliverBufferedSince !== undefined && { deliverBufferedSince }) },
          },
        ];
      }
      case 'ChangeEventService': {
        const next = {
          deliveryRetryAttempts: command.deliveryRetryAttempts ?? state.deliveryRetryAttempts,
          deliveryRetryIntervalSeconds: command.deliveryRetryIntervalSeconds ?? state.deliveryRetryIntervalSeconds,
        };
        const same =
          next.deliveryRetryAttempts === state.deliveryRetryAttempts &&
          next.deliveryRetryIntervalSeconds === state.deliveryRetryIntervalSeconds;
        return same ? [] : [{ type: 'EventServiceSettingsChanged', data: next }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'SubscriptionCreated': {
        const { subscriptionId, context } = event.data;
        return {
          ...state,
          subscriptions: { ...state.subscriptions, [subscriptionId]: { subscriptionId, suspended: false, context } },
          subscriptionsEverCreated: Math.max(state.subscriptionsEverCreated, Number(subscriptionId) || 0),
        };
      }
      case 'SubscriptionDeleted':
      case 'SubscriptionTerminated': {
        const { [event.data.subscriptionId]: _, ...subscriptions } = state.subscriptions;
        return { ...state, subscriptions };
      }
      case 'SubscriptionSuspended':
      case 'SubscriptionResumed': {
        const subscription = state.subscriptions[event.data.subscriptionId];
        if (!subscription) return state;
        const suspended = event.type === 'SubscriptionSuspended';
        return {
          ...state,
          subscriptions: { ...state.subscriptions, [subscription.subscriptionId]: { ...subscription, suspended } },
        };
      }
      case 'EventServiceSettingsChanged':
        return { ...state, ...event.data };
      case 'SubscriptionContextChanged': {
        const subscription = state.subscriptions[event.data.subscriptionId];
        if (!subscription) return state;
        return {
          ...state,
          subscriptions: {
            ...state.subscriptions,
            [subscription.subscriptionId]: { ...subscription, context: event.data.context },
          },
        };
      }
      default:
        return state;
    }
  },
};
