import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { eventServiceDecider, type EventServiceCommand } from '../../domain/event-service/event-service-decider.js';
import {
  EVENT_SERVICE_STREAM,
  SUBSCRIPTIONS,
  subscriptionUri,
} from '../../domain/event-service/event-service-events.js';
import type { AllowedMethods } from '../allowed-methods.js';
import { actionParameters } from '../action-body.js';
import { etagMatches, etagOf } from '../etag.js';
import { EVENT_REGISTRIES, registryFileUri } from '../../registries/event-registries.js';
import { requireIfMatch } from '../patch-preconditions.js';
import { RedfishHttpError, resourceMissing } from '../redfish-error.js';
import { resourcePath } from '../server.js';
import type { SseHub } from './sse-hub.js';
import { readEventServicePatch, readSubscriptionRequest } from './subscription-request.js';
import { readPatchBody } from '../patch-body.js';
import { patchView } from '../patch-view.js';
import { CLAIMED_PROPERTIES } from '../claimed-properties.js';
import { executeRequest } from '../execute-request.js';

type SubscriptionParams = { subscriptionId: string };
const SUSPEND = 'EventDestination.SuspendSubscription';
const RESUME = 'EventDestination.ResumeSubscription';
const JSON_TYPE = 'application/json; charset=utf-8';

/** An ISO 8601 duration as DeliverBufferedEventDuration takes it (PnDTnHnMnS), in milliseconds. */
export function durationMs(value: string): number | undefined {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000;
}

/**
 * The EventService's routes: its retry settings (PATCH), push subscriptions (POST to
 * Subscriptions, GET, DELETE, SuspendSubscription and ResumeSubscription), the SSE stream, and
 * the ResourceEvent and TaskEvent registry files events refer to. Subscriptions are recorded
 * like any mutation; the Subscriptions collection lists them with the open SSE connections.
 */
export function registerEventServiceRoutes(
  app: FastifyInstance,
  allowed: AllowedMethods,
  store: EventStore,
  sse: SseHub,
): void {
  const execute = (command: EventServiceCommand, request: FastifyRequest) =>
    executeRequest(store, EVENT_SERVICE_STREAM, eventServiceDecider, command, request);
  /** A view as a GET of it answers: ETag, Allow, 304 on a matching If-None-Match. */
  const sendView = (request: FastifyRequest, reply: FastifyReply, odataId: string) => {
    const view = store.views.get(odataId);
    if (!view) throw resourceMissing(resourcePath(request.url));
    const etag = etagOf(view);
    reply.header('ETag', etag).header('Allow', allowed.allowHeader(odataId, true));
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.status(304).send();
    return reply.type(JSON_TYPE).send(view.body);
  };

  for (const registry of Object.values(EVENT_REGISTRIES)) {
    app.get(registryFileUri(registry.id), async (_request, reply) => reply.type(JSON_TYPE).send(registry.text));
  }

  sse.register(app);

  app.patch(EVENT_SERVICE_STREAM, async (request, reply) => {
    const view = store.views.get(EVENT_SERVICE_STREAM);
    if (!view) throw resourceMissing(EVENT_SERVICE_STREAM);
    requireIfMatch(request.headers, view);
    const command = readEventServicePatch(
      readPatchBody(request.body, JSON.parse(view.body), CLAIMED_PROPERTIES.EventService),
    );
    if (Array.isArray(command)) throw new RedfishHttpError(400, command);
    execute(command, request);
    const updated = store.views.get(EVENT_SERVICE_STREAM)!;
    return reply.header('ETag', etagOf(updated)).type(JSON_TYPE).send(updated.body);
  });

  // The recorded subscriptions and the open SSE connections, in one collection.
  app.get(SUBSCRIPTIONS, async (_request, reply) => {
    const view = store.views.get(SUBSCRIPTIONS);
    if (!view) throw resourceMissing(SUBSCRIPTIONS);
    const collection = JSON.parse(view.body) as Record<string, unknown>;
    const members = [
      ...(collection['Members'] as object[]),
      ...sse.destinations().map((d) => ({ '@odata.id': d['@odata.id'] })),
    ];
    reply.header('Allow', allowed.allowHeader(SUBSCRIPTIONS, true));
    return reply.type(JSON_TYPE).send({ ...collection, Members: members, 'Members@odata.count': members.length });
  });

  // A collection also takes a POST at its Members property, as the specification allows.
  for (const url of [SUBSCRIPTIONS, `${SUBSCRIPTIONS}/Members`]) {
    app.post(url, async (request, reply) => {
      const spec = readSubscriptionRequest(request.body);
      if (Array.isArray(spec)) throw new RedfishHttpError(400, spec);
      const outcome = execute({ type: 'CreateSubscription', spec }, request);
      const created = outcome.events[0]!;
      const location = subscriptionUri(created.type === 'SubscriptionCreated' ? created.data.subscriptionId : '');
      const view = store.views.get(location)!;
      return reply
        .status(201)
        .header('Location', location)
        .header('ETag', etagOf(view))
        .type(JSON_TYPE)
        .send(view.body);
    });
  }

  const subscription = `${SUBSCRIPTIONS}/:subscriptionId`;
  app.get<{ Params: SubscriptionParams }>(subscription, async (request, reply) => {
    const stream = sse.destination(request.params.subscriptionId);
    if (stream)
      return reply
        .header('Allow', allowed.allowHeader(resourcePath(request.url), false))
        .type(JSON_TYPE)
        .send(stream);
    return sendView(request, reply, subscriptionUri(request.params.subscriptionId));
  });

  // A recorded subscription's Context; an open SSE stream's settings are its query's, kept as they are.
  app.patch<{ Params: SubscriptionParams }>(subscription, async (request, reply) => {
    const { subscriptionId } = request.params;
    const stream = sse.destination(subscriptionId);
    if (stream) {
      readPatchBody(request.body, stream, []);
      return reply.type(JSON_TYPE).send(stream);
    }
    return patchView(
      store,
      subscriptionUri(subscriptionId),
      request,
      reply,
      CLAIMED_PROPERTIES.EventDestination,
      (body) => {
        const context = body['Context'];
        if (typeof context === 'string' || context === null)
          execute({ type: 'ChangeSubscriptionContext', subscriptionId, context }, request);
      },
    );
  });

  app.delete<{ Params: SubscriptionParams }>(subscription, async (request, reply) => {
    const { subscriptionId } = request.params;
    if (sse.close(subscriptionId)) return reply.status(204).send();
    if (!store.views.get(subscriptionUri(subscriptionId))) throw resourceMissing(resourcePath(request.url));
    execute({ type: 'DeleteSubscription', subscriptionId }, request);
    return reply.status(204).send();
  });

  const recorded = (request: FastifyRequest<{ Params: SubscriptionParams }>) => {
    const { subscriptionId } = request.params;
    if (!store.views.get(subscriptionUri(subscriptionId))) throw resourceMissing(resourcePath(request.url));
    return subscriptionId;
  };

  app.post<{ Params: SubscriptionParams }>(`${subscription}/Actions/${SUSPEND}`, async (request, reply) => {
    const subscriptionId = recorded(request);
    actionParameters(request.body, SUSPEND, []);
    execute({ type: 'SuspendSubscription', subscriptionId, reason: 'Requested' }, request);
    return reply.status(204).send();
  });

  app.post<{ Params: SubscriptionParams }>(`${subscription}/Actions/${RESUME}`, async (request, reply) => {
    const subscriptionId = recorded(request);
    const parameters = actionParameters(request.body, RESUME, ['DeliverBufferedEventDuration']);
    const duration = parameters['DeliverBufferedEventDuration'];
    let deliverBufferedSince: string | undefined;
    if (duration !== undefined) {
      if (typeof duration !== 'string')
        throw RedfishHttpError.of(
          400,
          'ActionParameterValueTypeError',
          [JSON.stringify(duration), 'DeliverBufferedEventDuration', RESUME],
          ['/DeliverBufferedEventDuration'],
        );
      const ms = durationMs(duration);
      if (ms === undefined)
        throw RedfishHttpError.of(
          400,
          'ActionParameterValueFormatError',
          [duration, 'DeliverBufferedEventDuration', RESUME],
          ['/DeliverBufferedEventDuration'],
        );
      deliverBufferedSince = new Date(Date.now() - ms).toISOString();
    }
    execute(
      {
        type: 'ResumeSubscription',
        subscriptionId,
        ...(deliverBufferedSince !== undefined && { deliverBufferedSince }),
      },
      request,
    );
    return reply.status(204).send();
  });
}
