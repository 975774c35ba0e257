import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import {
  HISTORY_LOG_ID,
  historyEntriesCollection,
  historyEntriesOf,
  historyIndexOf,
  indexedPositions,
} from '../../projections/log-services.js';
import type { ViewDocument } from '../../eventstore/projector.js';
import type { AllowedMethods } from '../allowed-methods.js';
import { etagMatches, etagOf } from '../etag.js';
import { resourceMissing } from '../redfish-error.js';
import { resourcePath } from '../server.js';

/**
 * GET of a BMC's History log entries (/redfish/v1/Managers/{id}/LogServices/History/Entries),
 * made from the positions the log-services projection keeps and the entries' views, which it
 * embeds (LogEntryCollection's members are expanded). Served as a view is: ETag (the newest
 * position among the list and its entries, so marking an entry changes it too), Allow, 304 on a
 * matching If-None-Match, 404 where there is no such log; other methods get 405 from the server.
 */
export function registerLogEntriesRoute(app: FastifyInstance, allowed: AllowedMethods, store: EventStore): void {
  app.get<{ Params: { managerId: string } }>(
    `/redfish/v1/Managers/:managerId/LogServices/${HISTORY_LOG_ID}/Entries`,
    async (request, reply) => {
      const { managerId } = request.params;
      const index = store.views.get(historyIndexOf(managerId));
      const path = resourcePath(request.url);
      if (!index) throw resourceMissing(path);
      const entries = indexedPositions(JSON.parse(index.body) as ViewDocument)
        .map((position) => store.views.get(`${historyEntriesOf(managerId)}/${position}`))
        .filter((entry) => entry !== undefined);
      const etag = etagOf({ ...index, position: Math.max(index.position, ...entries.map((e) => e.position)) });
      reply.header('ETag', etag).header('Allow', allowed.allowHeader(path, true));
      if (etagMatches(request.headers['if-none-match'], etag)) return reply.status(304).send();
      return reply.type('application/json; charset=utf-8').send(
        historyEntriesCollection(
          managerId,
          entries.map((e) => e.body),
        ),
      );
    },
  );
}
