import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { subscribe, type Subscription } from '../../eventstore/subscription.js';
import { subscriptionUri } from '../../domain/event-service/event-service-events.js';
import { SSE_URI } from '../../projections/event-service.js';
import { ODATA_TYPE } from '../../projections/odata-types.js';
import { RedfishHttpError } from '../redfish-error.js';
import { AnnouncementTracker } from './announcement-tracker.js';
import { eventPayload, eventRecord } from './event-records.js';

/** SSE connections served at once; past it a new one is refused (503). */
export const MAX_SSE_CONNECTIONS = 64;
/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;
/** SSE EventDestination ids: never a number, so never a recorded subscription's. */
const isSseId = (id: string) => id.startsWith('SSE-');

interface Connection {
  readonly id: string;
  /** Service-made and opaque, as DSP0266 asks of an SSE EventDestination's Context. */
  readonly context: string;
  readonly response: ServerResponse;
}

/**
 * The Server-Sent Events stream (EventService.ServerSentEventUri). Each connection follows the
 * log from where the client is: the current position, or the `Last-Event-ID` it sends back
 * (every event's SSE `id` is its log position), so a client that reconnects with it misses
 * nothing and sees nothing twice. Each event that announces something is one `data:` line, a
 * Redfish Event payload.
 *
 * While a connection is open it is an EventDestination (SubscriptionType SSE) in the
 * Subscriptions collection; deleting that resource closes the connection, and closing the
 * connection removes it. Like sessions these live in memory and are not recorded: a connection
 * is not a mutation of the service.
 */
export class SseHub {
  private readonly connections = new Map<string, Connection>();

  constructor(private readonly store: EventStore) {}

  register(app: FastifyInstance): void {
    app.get(SSE_URI, async (request, reply) => {
      const header = request.headers['last-event-id'];
      let after = this.store.lastPosition();
      if (header !== undefined) {
        const value = String(header).trim();
        if (!/^\d+$/.test(value)) throw RedfishHttpError.of(400, 'HeaderInvalid', [`Last-Event-ID: ${String(header)}`]);
        after = Number(value);
      }
      if (request.method === 'HEAD') return reply.type('text/event-stream; charset=utf-8').send();
      if (this.connections.size >= MAX_SSE_CONNECTIONS)
        throw RedfishHttpError.of(503, 'EventSubscriptionLimitExceeded');
      reply.hijack();
      this.open(reply.raw, after);
      return reply;
    });
    // Streams are ended before the server waits for its connections to close.
    app.addHook('preClose', async () => this.closeAll());
  }

  private open(response: ServerResponse, afterPosition: number): void {
    const id = `SSE-${randomBytes(6).toString('hex')}`;
    const connection: Connection = { id, context: randomBytes(12).toString('base64url'), response };
    this.connections.set(id, connection);
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'OData-Version': '4.0',
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    const tracker = new AnnouncementTracker(this.store);
    const subscription: Subscription = subscribe(this.store, {
      afterPosition,
      handler: async (event) => {
        const announcements = tracker.announce(event);
        if (announcements.length === 0) return;
        const payload = eventPayload(
          event,
          announcements.map((a, i) => eventRecord(event, a, i)),
          connection.context,
        );
        await write(response, `id: ${event.position}\ndata: ${JSON.stringify(payload)}\n\n`);
      },
    });
    const keepAlive = setInterval(() => {
      if (response.writable) response.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
    const cleanUp = () => {
      clearInterval(keepAlive);
      this.connections.delete(id);
      void subscription.close();
    };
    response.on('close', cleanUp);
    // A handler that cannot write (the client went away mid-write) ends the stream.
    subscription.done.catch(() => response.destroy());
  }

  /** The EventDestinations of the open SSE connections. */
  destinations(): Record<string, unknown>[] {
    return [...this.connections.values()].map((c) => destinationDocument(c));
  }

  /** An open connection's EventDestination, or undefined when `id` is not one. */
  destination(id: string): Record<string, unknown> | undefined {
    const connection = isSseId(id) ? this.connections.get(id) : undefined;
    return connection && destinationDocument(connection);
  }

  /** Ends an open connection (its EventDestination was deleted); false when there is none. */
  close(id: string): boolean {
    const connection = isSseId(id) ? this.connections.get(id) : undefined;
    if (!connection) return false;
    this.connections.delete(id);
    connection.response.end();
    return true;
  }

  closeAll(): void {
    for (const id of [...this.connections.keys()]) this.close(id);
  }
}

function destinationDocument(connection: Connection): Record<string, unknown> {
  return {
    '@odata.id': subscriptionUri(connection.id),
    '@odata.type': ODATA_TYPE.EventDestination,
    Id: connection.id,
    Name: 'Server-Sent Events stream',
    Protocol: 'Redfish',
    SubscriptionType: 'SSE',
    EventFormatType: 'Event',
    Context: connection.context,
    Status: { State: 'Enabled', Health: 'OK' },
  };
}

/** Writes a chunk, waiting for the socket to drain when it is full; rejects once the client is gone. */
function write(response: ServerResponse, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!response.writable) return reject(new Error('the SSE client went away'));
    if (response.write(chunk)) return resolve();
    const done = (err?: Error) => {
      response.off('drain', onDrain);
      response.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the SSE client went away'));
    response.on('drain', onDrain);
    response.on('close', onClose);
  });
}
