/** The stream of the EventService: its settings and the push subscriptions clients made. */
export const EVENT_SERVICE_STREAM = '/redfish/v1/EventService';
export const SUBSCRIPTIONS = `${EVENT_SERVICE_STREAM}/Subscriptions`;
export const subscriptionUri = (subscriptionId: string) => `${SUBSCRIPTIONS}/${subscriptionId}`;

/** What happens to a subscription whose destination still refuses an event after every retry. */
export const DELIVERY_RETRY_POLICIES = [
  'SuspendRetries',
  'TerminateAfterRetries',
  'RetryForever',
  'RetryForeverWithBackoff',
] as const;
export type DeliveryRetryPolicy = (typeof DELIVERY_RETRY_POLICIES)[number];

/** The deprecated EventType of an event record, still sent by older clients as a filter. */
export const EVENT_TYPES = [
  'StatusChange',
  'ResourceUpdated',
  'ResourceAdded',
  'ResourceRemoved',
  'Alert',
  'Other',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The service's delivery settings until a client changes them (DeliveryRetryAttempts, DeliveryRetryIntervalSeconds). */
export const DEFAULT_DELIVERY = { deliveryRetryAttempts: 3, deliveryRetryIntervalSeconds: 30 } as const;

/** A push subscription as a client asked for it (POST to Subscriptions), defaults filled in. */
export interface SubscriptionSpec {
  /** An http:// or https:// URL the service POSTs Event payloads to. */
  readonly destination: string;
  readonly protocol: 'Redfish';
  /** The client's own string, returned in every Event payload; null when it gave none. */
  readonly context: string | null;
  readonly eventFormatType: 'Event';
  readonly deliveryRetryPolicy: DeliveryRetryPolicy;
  /** Whether an https destination's certificate must be trusted by the system's CAs. */
  readonly verifyCertificate: boolean;
  /** Filters: a record is sent only if it passes every one given (absent: no filter). */
  readonly registryPrefixes?: readonly string[];
  readonly messageIds?: readonly string[];
  readonly resourceTypes?: readonly string[];
  readonly originResources?: readonly string[];
  /** With originResources: resources below those named count too. */
  readonly subordinateResources?: boolean;
  readonly eventTypes?: readonly EventType[];
}

export interface SubscriptionCreated {
  readonly type: 'SubscriptionCreated';
  /** The subscription's @odata.id: history finds its events by it. */
  readonly subject?: string;
  readonly data: { readonly subscriptionId: string } & SubscriptionSpec;
}

/** A client deleted the subscription. */
export interface SubscriptionDeleted {
  readonly type: 'SubscriptionDeleted';
  readonly subject?: string;
  readonly data: { readonly subscriptionId: string };
}

/** Deleted by the service: its destination refused an event after every retry (TerminateAfterRetries). */
export interface SubscriptionTerminated {
  readonly type: 'SubscriptionTerminated';
  readonly subject?: string;
  readonly data: { readonly subscriptionId: string; readonly message: string };
}

/**
 * Nothing more is sent until it is resumed: its destination refused an event after every retry
 * (SuspendRetries), or a client asked (EventDestination.SuspendSubscription).
 */
export interface SubscriptionSuspended {
  readonly type: 'SubscriptionSuspended';
  readonly subject?: string;
  readonly data: {
    readonly subscriptionId: string;
    readonly reason: 'DeliveryFailed' | 'Requested';
    readonly message?: string;
  };
}

/**
 * EventDestination.ResumeSubscription: delivery goes on from the event it stopped at (the log
 * is the buffer), leaving out those recorded before `deliverBufferedSince` when it is given.
 */
export interface SubscriptionResumed {
  readonly type: 'SubscriptionResumed';
  readonly subject?: string;
  readonly data: { readonly subscriptionId: string; readonly deliverBufferedSince?: string };
}

/** A client changed the EventService's retry settings; the event holds both, as they now are. */
export interface EventServiceSettingsChanged {
  readonly type: 'EventServiceSettingsChanged';
  readonly data: { readonly deliveryRetryAttempts: number; readonly deliveryRetryIntervalSeconds: number };
}

/** A client changed a subscription's Context, which each Event delivered after carries. */
export interface SubscriptionContextChanged {
  readonly type: 'SubscriptionContextChanged';
  readonly subject?: string;
  readonly data: { readonly subscriptionId: string; readonly context: string | null };
}

export type EventServiceEvent =
  | SubscriptionCreated
  | SubscriptionDeleted
  | SubscriptionTerminated
  | SubscriptionSuspended
  | SubscriptionResumed
  | EventServiceSettingsChanged
  | SubscriptionContextChanged;
