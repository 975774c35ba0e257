import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { PROJECTION_VERSION, projectors } from '../../projections/catalog.js';
import { parseLogPoint, PointOutOfRangeError, TimeTravel, type ResolvedPoint } from '../../views/time-travel.js';
import { etagOf } from '../etag.js';
import { RedfishHttpError, resourceMissing } from '../redfish-error.js';
import { resourcePath, SERVICE_ROOT } from '../server.js';
import { ADMIN_PREFIX } from './drive-fault-routes.js';
import { requiredQuery } from './required-query.js';

export const AS_OF_URI = `${ADMIN_PREFIX}/AsOf`;
export const DIFF_URI = `${ADMIN_PREFIX}/Diff`;

/** A Redfish resource path as the views key it; internal keys ('#…') and anything else are refused. */
function resourceOf(value: string): string {
  const path = resourcePath(value);
  if ((path !== SERVICE_ROOT && !path.startsWith(`${SERVICE_ROOT}/`)) || /[#?\s]/.test(value)) {
    throw RedfishHttpError.of(400, 'QueryParameterValueFormatError', [value, 'resource']);
  }
  return path;
}

/** A position or an ISO time, resolved against the log; a time's '+' offset may arrive decoded as a space. */
function pointOf(timeTravel: TimeTravel, value: string, name: string): ResolvedPoint {
  const point = parseLogPoint(value.replace(/ (\d{2}:\d{2})$/, '+$1'));
  if (!point) throw RedfishHttpError.of(400, 'QueryParameterValueFormatError', [value, name]);
  try {
    return timeTravel.resolve(point);
  } catch (err) {
    if (err instanceof PointOutOfRangeError)
      throw RedfishHttpError.of(400, 'QueryParameterOutOfRange', [value, name, `0-${err.lastPosition}`]);
    throw err;
  }
}

/**
 * The emulator's time travel API, authenticated like the Redfish service:
 *
 * - GET /emulator/v1/AsOf?resource=<@odata.id>&asOf=<position or ISO time>: the resource's
 *   document as GET returned it then, byte for byte, with the ETag it had; the position the
 *   point resolved to in `Emulator-As-Of-Position` (and its time in `Emulator-As-Of-Time`).
 *   404 when the resource did not exist then.
 * - GET /emulator/v1/Diff?resource=…&from=…&to=…: the resource at both points and the JSON
 *   Patch that turns one into the other; 404 when it existed at neither.
 *
 * Answers are replayed in memory from the nearest snapshot, never touching the live views, and
 * other requests are served between pages of a long replay. While the server runs, a snapshot
 * of the live views is recorded each time the log grows by an interval of events
 * (SNAPSHOT_INTERVAL, LARGE_LAB_INTERVAL in a large lab).
 */
export function registerTimeTravelRoutes(app: FastifyInstance, store: EventStore): void {
  const timeTravel = new TimeTravel(store.db, {
    projectors,
    projectionVersion: PROJECTION_VERSION,
    pageSize: 250,
    countLiveViews: () => store.views.count(),
  });

  app.get(AS_OF_URI, async (request, reply) => {
    const query = requiredQuery(request, ['resource', 'asOf']);
    const resource = resourceOf(query['resource']!);
    const point = pointOf(timeTravel, query['asOf']!, 'asOf');
    const [view] = await timeTravel.viewAtAsync(resource, [point.position]);
    if (!view) throw resourceMissing(resource);
    reply.header('ETag', etagOf(view));
    reply.header('Emulator-As-Of-Position', String(point.position));
    if (point.recordedAt !== undefined) reply.header('Emulator-As-Of-Time', point.recordedAt);
    return reply.type('application/json; charset=utf-8').send(view.body);
  });

  app.get(DIFF_URI, async (request, reply) => {
    const query = requiredQuery(request, ['resource', 'from', 'to']);
    const resource = resourceOf(query['resource']!);
    const from = pointOf(timeTravel, query['from']!, 'from');
    const to = pointOf(timeTravel, query['to']!, 'to');
    const views = await timeTravel.viewAtAsync(resource, [from.position, to.position]);
    if (views.every((view) => view === undefined)) throw resourceMissing(resource);
    return reply.type('application/json; charset=utf-8').send(timeTravel.diff(resource, from, to, views));
  });

  keepLiveSnapshots(app, store, timeTravel);
}

/** Snapshots of the live views as the log grows, taken after the append that crossed the interval. */
function keepLiveSnapshots(app: FastifyInstance, store: EventStore, timeTravel: TimeTravel): void {
  const newest = () => timeTravel.snapshots?.nearest(Number.MAX_SAFE_INTEGER)?.position ?? 0;
  let known = newest();
  let pending = false;
  let closed = false;
  const copy = () => {
    if (closed) return;
    // Inside a transaction still open (a log imported in slices): once it is over.
    if (store.db.inTransaction) return void setImmediate(copy);
    pending = false;
    try {
      known = timeTravel.snapshotLiveViews({ background: true })?.position ?? newest();
    } catch (err) {
      // Tried again an interval later, not at every append.
      known = store.lastPosition();
      app.log.warn({ err }, 'could not record a snapshot of the views; time travel replays further until the next one');
    }
  };
  const stop = store.commits.listen((position) => {
    if (pending || position - known < timeTravel.liveInterval()) return;
    pending = true;
    // Once the append's own work is done, before other requests append more: under a burst,
    // waiting for the next turn of the event loop let two to six intervals go by.
    queueMicrotask(copy);
  });
  app.addHook('onClose', async () => {
    stop();
    closed = true;
    // Before the store closes: the snapshots being written land, a keyframe still being read is given up.
    await timeTravel.close();
  });
}
