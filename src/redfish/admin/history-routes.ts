import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { queryHistory } from '../../eventstore/history-query.js';
import { describedHistoryEntry } from '../../projections/described-history-entry.js';
import { unknownEventTypes } from '../../eventstore/unknown-event-types.js';
import { EVENT_TYPES } from '../../domain/event-types.js';
import { indexEventResources } from '../../projections/event-resources.js';
import {
  HistoryOptionError,
  historyOptionValues,
  isHistoryOption,
  parseHistoryOptions,
  type HistoryOptionValues,
} from '../../eventstore/history-options.js';
import { RedfishHttpError } from '../redfish-error.js';
import { ADMIN_PREFIX } from './drive-fault-routes.js';

export const HISTORY_URI = `${ADMIN_PREFIX}/History`;
/** A page holds this many events unless `limit` says otherwise, and never more than MAX_PAGE. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

/** A refused query value, as the Base message that fits it. */
function badQuery(err: HistoryOptionError): RedfishHttpError {
  switch (err.problem) {
    case 'format':
      return RedfishHttpError.of(400, 'QueryParameterValueFormatError', [err.value, err.option]);
    case 'type':
      return RedfishHttpError.of(400, 'QueryParameterValueTypeError', [err.value, err.option]);
    case 'range':
      return RedfishHttpError.of(400, 'QueryParameterOutOfRange', [err.value, err.option, `1-${MAX_PAGE}`]);
  }
}

/**
 * GET /emulator/v1/History: the log's events, oldest first, filtered as `redfish-emulator history`
 * filters them (the same option names as query parameters: resource, stream, type, actor,
 * since, until, after, until-position, limit) and paged by position: `Next` is the URL of the
 * next page, or null on the last. `order=newest` lists the newest first (paged towards older
 * events), as a timeline shows them. Authenticated like the Redfish service.
 */
export function registerHistoryRoutes(app: FastifyInstance, store: EventStore): void {
  app.get(HISTORY_URI, async (request, reply) => {
    const { order, ...query } = (request.query ?? {}) as Record<string, string | string[]>;
    const unknown = Object.keys(query).find((name) => !isHistoryOption(name));
    if (order !== undefined && order !== 'oldest' && order !== 'newest')
      throw RedfishHttpError.of(400, 'QueryParameterValueFormatError', [String(order), 'order']);
    const newestFirst = order === 'newest';
    if (unknown !== undefined) throw RedfishHttpError.of(400, 'QueryParameterUnsupported', [unknown]);
    let filter: ReturnType<typeof parseHistoryOptions>;
    try {
      filter = parseHistoryOptions(query as HistoryOptionValues, { maxLimit: MAX_PAGE });
    } catch (err) {
      if (err instanceof HistoryOptionError) throw badQuery(err);
      throw err;
    }
    if (unknownEventTypes(store.db, filter.types ?? [], EVENT_TYPES).length > 0)
      throw RedfishHttpError.of(400, 'QueryParameterValueError', ['type']);
    if (filter.resource !== undefined) await indexEventResources(store.db, store.upcasters);
    const limit = filter.limit ?? DEFAULT_PAGE;
    // One more than the page: whether it exists says whether there is a next page.
    const events = queryHistory(store.db, { ...filter, limit: limit + 1, newestFirst }, store.upcasters);
    const page = events.slice(0, limit);
    // Newest first, the next page is the older events: those up to just before the page's last.
    const moved = (last: number) => (newestFirst ? { untilPosition: last - 1 } : { afterPosition: last });
    const next =
      events.length > limit
        ? `${HISTORY_URI}?${new URLSearchParams([...historyOptionValues({ ...filter, limit, ...moved(page.at(-1)!.position) }), ...(newestFirst ? [['order', 'newest']] : [])]).toString()}`
        : null;
    return reply
      .type('application/json; charset=utf-8')
      .send({ Events: page.map((event) => describedHistoryEntry(event, store.views)), Next: next });
  });
}
