import type { RecordedEvent } from '../eventstore/event.js';
import {
  DEFAULT_DELIVERY,
  EVENT_SERVICE_STREAM,
  SUBSCRIPTIONS,
  subscriptionUri,
  type EventServiceEvent,
  type SubscriptionSpec,
} from '../domain/event-service/event-service-events.js';
import { EVENT_REGISTRIES, registryFileUri } from '../registries/event-registries.js';
import { addMember, linkFromServiceRoot, setMembers } from './collection.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument, ViewWriter } from '../eventstore/projector.js';

const REGISTRIES = '/redfish/v1/Registries';

/** Where clients open the Server-Sent Events stream. */
export const SSE_URI = `${EVENT_SERVICE_STREAM}/SSE`;

/** The schema names of the resources events are announced about: what ResourceTypes filters can name. */
export const ANNOUNCED_RESOURCE_TYPES = [
  'ServiceRoot',
  'ComputerSystem',
  'Manager',
  'Chassis',
  'Bios',
  'VirtualMedia',
  'Storage',
  'Drive',
  'Volume',
  'Task',
  'EventService',
  'EventDestination',
  'AccountService',
  'ManagerAccount',
];

export const suspendTarget = (subscriptionId: string) =>
  `${subscriptionUri(subscriptionId)}/Actions/EventDestination.SuspendSubscription`;
export const resumeTarget = (subscriptionId: string) =>
  `${subscriptionUri(subscriptionId)}/Actions/EventDestination.ResumeSubscription`;

/**
 * The EventService, made with the service (with the ResourceEvent and TaskEvent registries its
 * events use, beside Base), its retry settings as clients set them, and one EventDestination
 * per push subscription, Disabled while suspended. SSE connections are not recorded: their
 * EventDestinations live as long as the connection, in memory (src/redfish/events/).
 */
export const eventServiceProjector: Projector = {
  name: 'event-service',
  apply(recorded: RecordedEvent, views) {
    const { position } = recorded;
    if (recorded.type === 'ServiceCreated' && recorded.streamId === '/redfish/v1') {
      created(views, position);
      return;
    }
    if (recorded.streamId !== EVENT_SERVICE_STREAM) return;
    const event = { type: recorded.type, data: recorded.data } as EventServiceEvent;
    switch (event.type) {
      case 'SubscriptionCreated': {
        const { subscriptionId, ...spec } = event.data;
        views.put(destinationDocument(subscriptionId, spec), position);
        addMember(
          views,
          position,
          { id: SUBSCRIPTIONS, type: ODATA_TYPE.EventDestinationCollection, name: 'Event Subscriptions Collection' },
          subscriptionUri(subscriptionId),
        );
        return;
      }
      case 'SubscriptionDeleted':
      case 'SubscriptionTerminated': {
        const id = subscriptionUri(event.data.subscriptionId);
        views.delete(id);
        const collection = views.get(SUBSCRIPTIONS);
        if (!collection) return;
        const members = (collection['Members'] as { '@odata.id': string }[]).filter((m) => m['@odata.id'] !== id);
        views.put({ ...collection, Members: members, 'Members@odata.count': members.length }, position);
        return;
      }
      case 'SubscriptionSuspended':
      case 'SubscriptionResumed': {
        const doc = views.get(subscriptionUri(event.data.subscriptionId));
        if (!doc) return;
        const failed = event.type === 'SubscriptionSuspended' && event.data.reason === 'DeliveryFailed';
        doc['Status'] = {
          State: event.type === 'SubscriptionSuspended' ? 'Disabled' : 'Enabled',
          Health: failed ? 'Warning' : 'OK',
        };
        views.put(doc, position);
        return;
      }
      case 'SubscriptionContextChanged': {
        const doc = views.get(subscriptionUri(event.data.subscriptionId));
        if (doc) views.put({ ...doc, Context: event.data.context }, position);
        return;
      }
      case 'EventServiceSettingsChanged': {
        const doc = views.get(EVENT_SERVICE_STREAM);
        if (!doc) return;
        views.put(
          {
            ...doc,
            DeliveryRetryAttempts: event.data.deliveryRetryAttempts,
            DeliveryRetryIntervalSeconds: event.data.deliveryRetryIntervalSeconds,
          },
          position,
        );
        return;
      }
    }
  },
};

function created(views: ViewWriter, position: number): void {
  views.put(
    {
      '@odata.id': EVENT_SERVICE_STREAM,
      '@odata.type': ODATA_TYPE.EventService,
      Id: 'EventService',
      Name: 'Event Service',
      ServiceEnabled: true,
      Status: { State: 'Enabled', Health: 'OK' },
      DeliveryRetryAttempts: DEFAULT_DELIVERY.deliveryRetryAttempts,
      DeliveryRetryIntervalSeconds: DEFAULT_DELIVERY.deliveryRetryIntervalSeconds,
      EventFormatTypes: ['Event'],
      RegistryPrefixes: Object.keys(EVENT_REGISTRIES),
      ResourceTypes: ANNOUNCED_RESOURCE_TYPES,
      SubordinateResourcesSupported: true,
      ServerSentEventUri: SSE_URI,
      // The SSE stream is every event, unfiltered: $filter is answered 501.
      SSEFilterPropertiesSupported: {
        EventFormatType: false,
        MessageId: false,
        MetricReportDefinition: false,
        OriginResource: false,
        RegistryPrefix: false,
        ResourceType: false,
        SubordinateResources: false,
      },
      Subscriptions: { '@odata.id': SUBSCRIPTIONS },
    },
    position,
  );
  setMembers(
    views,
    position,
    SUBSCRIPTIONS,
    ODATA_TYPE.EventDestinationCollection,
    'Event Subscriptions Collection',
    [],
  );
  for (const registry of Object.values(EVENT_REGISTRIES)) {
    views.put(
      {
        '@odata.id': `${REGISTRIES}/${registry.id}`,
        '@odata.type': ODATA_TYPE.MessageRegistryFile,
        Id: registry.id,
        Name: `${registry.name} File`,
        Registry: registry.messagePrefix,
        Languages: ['en'],
        Location: [{ Language: 'en', Uri: registryFileUri(registry.id) }],
      },
      position,
    );
    addMember(
      views,
      position,
      { id: REGISTRIES, type: ODATA_TYPE.MessageRegistryFileCollection, name: 'Registry File Collection' },
      `${REGISTRIES}/${registry.id}`,
    );
  }
  linkFromServiceRoot(views, position, 'EventService', EVENT_SERVICE_STREAM);
}

function destinationDocument(subscriptionId: string, spec: SubscriptionSpec): ViewDocument {
  return {
    '@odata.id': subscriptionUri(subscriptionId),
    '@odata.type': ODATA_TYPE.EventDestination,
    Id: subscriptionId,
    Name: `Event Subscription ${subscriptionId}`,
    Destination: spec.destination,
    Protocol: spec.protocol,
    SubscriptionType: 'RedfishEvent',
    EventFormatType: spec.eventFormatType,
    Context: spec.context,
    DeliveryRetryPolicy: spec.deliveryRetryPolicy,
    VerifyCertificate: spec.verifyCertificate,
    ...(spec.registryPrefixes && { RegistryPrefixes: spec.registryPrefixes }),
    ...(spec.messageIds && { MessageIds: spec.messageIds }),
    ...(spec.resourceTypes && { ResourceTypes: spec.resourceTypes }),
    ...(spec.originResources && { OriginResources: spec.originResources.map((id) => ({ '@odata.id': id })) }),
    ...(spec.subordinateResources !== undefined && { SubordinateResources: spec.subordinateResources }),
    ...(spec.eventTypes && { EventTypes: spec.eventTypes }),
    Status: { State: 'Enabled', Health: 'OK' },
    Actions: {
      '#EventDestination.SuspendSubscription': { target: suspendTarget(subscriptionId) },
      '#EventDestination.ResumeSubscription': { target: resumeTarget(subscriptionId) },
    },
  };
}
