import type { RecordedEvent } from '../../eventstore/event.js';
import type { EventStore } from '../../eventstore/event-store.js';
import { executeCommand, loadState } from '../../eventstore/execute-command.js';
import { followLog, type LogFollower } from '../../eventstore/follow-log.js';
import type { LoopHealth } from '../../health/loop-health.js';
import { eventServiceDecider, type EventServiceCommand } from '../../domain/event-service/event-service-decider.js';
import {
  EVENT_SERVICE_STREAM,
  type EventServiceEvent,
  type SubscriptionContextChanged,
  type SubscriptionSpec,
} from '../../domain/event-service/event-service-events.js';
import { AnnouncementTracker } from './announcement-tracker.js';
import { eventPayload, eventRecord } from './event-records.js';
import { postEvent, type PostOptions } from './post-event.js';
import { wants } from './subscription-filter.js';

export interface DispatcherOptions {
  /** How long one delivery attempt may take (default 10 s): past it, the attempt failed. */
  readonly attemptTimeoutMs?: number;
  /** Where delivery failures are reported (a line each); nothing by default. */
  readonly warn?: (line: string) => void;
  /** Where the supervisor and the workers report failing and recovering (the disk full under a checkpoint, say). */
  readonly health: LoopHealth;
  /** How an Event payload is POSTed; injectable for tests. */
  readonly post?: (destination: string, body: string, options: PostOptions) => Promise<void>;
}

/** The longest wait between two attempts under RetryForeverWithBackoff. */
const MAX_BACKOFF_MS = 60 * 60 * 1000;
/** Events passed over (filtered out, or announcing nothing) between two checkpoint writes. */
const SKIPPED_PER_CHECKPOINT = 200;

/** A subscription as the dispatcher follows it, folded from the EventService stream. */
interface Followed {
  readonly spec: SubscriptionSpec;
  /** The position of its SubscriptionCreated: it is sent what comes after. */
  readonly createdAt: number;
  readonly suspended: boolean;
  readonly deliverBufferedSince?: string;
}

/** The name a subscription's place in the log is kept under (EventStore.checkpoint). */
export const deliveryCheckpoint = (subscriptionId: string) => `event-destination:${subscriptionId}`;

class StopDelivery extends Error {}

/**
 * Push delivery: one worker per active subscription follows the log from that subscription's
 * checkpoint and POSTs each event it wants, in order, to its destination. A refused POST is
 * tried again every DeliveryRetryIntervalSeconds, DeliveryRetryAttempts times, holding back the
 * events behind it, so a subscriber down for less than that gets everything, once, in order.
 * Past the retries the subscription's DeliveryRetryPolicy applies: suspended or terminated (a
 * recorded event, like any mutation), or retried for ever. The checkpoint moves only after the
 * destination accepted an event, so a resumed subscription starts with the event that failed.
 *
 * A supervisor follows the EventService stream and starts and stops workers as subscriptions
 * are created, deleted, suspended and resumed. Nothing here runs inside a request.
 */
export class EventDispatcher {
  private readonly workers = new Map<string, DeliveryWorker>();
  /** Workers told to stop and not stopped yet: a new worker for the same subscription waits for its predecessor. */
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly followed = new Map<string, Followed>();
  private foldedVersion = 0;
  private supervisor?: LogFollower;
  private closed = false;

  constructor(
    private readonly store: EventStore,
    private readonly options: DispatcherOptions,
  ) {}

  start(): void {
    const from = this.store.lastPosition();
    this.reconcile();
    this.supervisor = followLog(this.store, {
      name: 'event subscriptions supervisor',
      afterPosition: from,
      health: this.options.health,
      handler: (event) => {
        if (event.streamId === EVENT_SERVICE_STREAM) this.reconcile();
      },
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.supervisor?.close();
    await Promise.all([
      ...[...this.workers.values()].map((worker) => worker.stop({ finishDelivery: false })),
      ...this.stopping.values(),
    ]);
    this.workers.clear();
  }

  /** Brings the workers in line with the subscriptions recorded so far. */
  private reconcile(): void {
    if (this.closed) return;
    for (const event of this.store.readStream(EVENT_SERVICE_STREAM, this.foldedVersion)) {
      this.fold(event);
      this.foldedVersion = event.streamVersion;
    }
    for (const [id, worker] of this.workers) {
      const subscription = this.followed.get(id);
      if (!subscription || subscription.suspended) {
        this.workers.delete(id);
        // Suspended: an event being POSTed is let finish, so it is not sent again on resume.
        const stopped = worker.stop({ finishDelivery: subscription !== undefined }).finally(() => {
          if (this.stopping.get(id) === stopped) this.stopping.delete(id);
        });
        this.stopping.set(id, stopped);
      }
    }
    for (const [id, subscription] of this.followed) {
      if (subscription.suspended || this.workers.has(id)) continue;
      const worker = new DeliveryWorker(this.store, id, subscription, this.options, (command) => this.record(command));
      this.workers.set(id, worker);
      const previous = this.stopping.get(id);
      if (previous) void previous.then(() => worker.start());
      else worker.start();
    }
  }

  private fold(recorded: RecordedEvent): void {
    const event = { type: recorded.type, data: recorded.data } as EventServiceEvent;
    switch (event.type) {
      case 'SubscriptionCreated': {
        const { subscriptionId, ...spec } = event.data;
        this.followed.set(subscriptionId, { spec, createdAt: recorded.position, suspended: false });
        return;
      }
      case 'SubscriptionDeleted':
      case 'SubscriptionTerminated':
        this.followed.delete(event.data.subscriptionId);
        return;
      case 'SubscriptionSuspended':
      case 'SubscriptionResumed': {
        const subscription = this.followed.get(event.data.subscriptionId);
        if (!subscription) return;
        const { deliverBufferedSince: _, ...rest } = subscription;
        const since = event.type === 'SubscriptionResumed' ? event.data.deliverBufferedSince : undefined;
        this.followed.set(event.data.subscriptionId, {
          ...rest,
          suspended: event.type === 'SubscriptionSuspended',
          ...(since !== undefined && { deliverBufferedSince: since }),
        });
        return;
      }
      case 'SubscriptionContextChanged': {
        // For a worker started from here on; a running one reads the change in its own pass of the log.
        const subscription = this.followed.get(event.data.subscriptionId);
        if (subscription)
          this.followed.set(event.data.subscriptionId, {
            ...subscription,
            spec: { ...subscription.spec, context: event.data.context },
          });
        return;
      }
    }
  }

  /** What a worker decided about its subscription (suspend, terminate), recorded like any mutation. */
  private record(command: EventServiceCommand): void {
    if (this.closed) return;
    executeCommand(this.store, EVENT_SERVICE_STREAM, eventServiceDecider, command, { actor: 'event-dispatcher' });
  }
}

/** Delivers to one subscription, from its checkpoint, until stopped or given up on. */
class DeliveryWorker {
  /** Stops the worker between events, and any wait between two attempts. */
  private readonly abort = new AbortController();
  /** Cuts short a POST in flight too. */
  private readonly abortPost = new AbortController();
  private readonly tracker: AnnouncementTracker;
  private follower?: LogFollower;
  private saved = 0;
  private passed = 0;
  /** Settles when the worker has stopped and its checkpoint is written. */
  private stopped: Promise<void> = Promise.resolve();
  /** The subscription's Context as of the event being delivered: a change applies to the events after it. */
  private context: string | null;

  constructor(
    private readonly store: EventStore,
    private readonly id: string,
    private readonly followed: Followed,
    private readonly options: DispatcherOptions,
    private readonly record: (command: EventServiceCommand) => void,
  ) {
    this.tracker = new AnnouncementTracker(store);
    this.context = followed.spec.context;
  }

  start(): void {
    if (this.abort.signal.aborted) return;
    const from = this.store.checkpoint(deliveryCheckpoint(this.id)) ?? this.followed.createdAt;
    this.saved = from;
    this.passed = from;
    // An error other than the worker's own stop (the disk full under its checkpoint) is retried with backoff.
    const follower = followLog(this.store, {
      name: `event delivery to subscription ${this.id}`,
      afterPosition: from,
      handler: (event) => this.handle(event),
      health: this.options.health,
      stopsOn: (err) => err instanceof StopDelivery,
    });
    this.follower = follower;
    this.stopped = follower.done
      .catch((err: unknown) => {
        if (!(err instanceof StopDelivery) && !this.abort.signal.aborted)
          this.options.warn?.(`event subscription ${this.id} stopped: ${(err as Error).message}`);
      })
      .finally(() => this.saveCheckpoint(this.passed));
  }

  /**
   * Stops at the next event. With `finishDelivery`, a POST in flight is let finish (and the
   * checkpoint moves if it was taken); without, it is cut short, as when the subscription is gone.
   */
  async stop(options: { finishDelivery: boolean }): Promise<void> {
    this.abort.abort();
    if (!options.finishDelivery) this.abortPost.abort();
    await this.follower?.close();
    await this.stopped;
  }

  private async handle(event: RecordedEvent): Promise<void> {
    if (this.abort.signal.aborted) throw new StopDelivery();
    const { spec, deliverBufferedSince } = this.followed;
    if (event.type === 'SubscriptionContextChanged') {
      const changed = event.data as SubscriptionContextChanged['data'];
      if (changed.subscriptionId === this.id) this.context = changed.context;
    }
    // Every event goes through the tracker, wanted or not: it keeps the storage state the next ones need.
    const announcements = this.tracker.announce(event);
    const records = announcements
      .map((a, i) => ({ a, record: eventRecord(event, a, i) }))
      .filter(({ a }) => wants(spec, a));
    const buffered = deliverBufferedSince !== undefined && event.recordedAt < deliverBufferedSince;
    if (records.length === 0 || buffered) {
      this.passed = event.position;
      if (this.passed - this.saved >= SKIPPED_PER_CHECKPOINT) this.saveCheckpoint(this.passed);
      return;
    }
    const body = JSON.stringify(
      eventPayload(
        event,
        records.map(({ record }) => record),
        this.context,
      ),
    );
    await this.deliver(event, body);
    this.passed = event.position;
    this.saveCheckpoint(event.position);
  }

  /** POSTs until the destination takes it, or the retry policy says to stop. */
  private async deliver(event: RecordedEvent, body: string): Promise<void> {
    const { spec } = this.followed;
    const post = this.options.post ?? postEvent;
    for (let retries = 0; ; retries += 1) {
      try {
        await post(spec.destination, body, {
          timeoutMs: this.options.attemptTimeoutMs ?? 10_000,
          verifyCertificate: spec.verifyCertificate,
          signal: this.abortPost.signal,
        });
        return;
      } catch (err) {
        if (this.abort.signal.aborted) throw new StopDelivery();
        const { deliveryRetryAttempts, deliveryRetryIntervalSeconds } = loadState(
          this.store,
          EVENT_SERVICE_STREAM,
          eventServiceDecider,
        ).state;
        const reason = `event ${event.position} could not be delivered to ${spec.destination} after ${retries} retries: ${(err as Error).message}`;
        if (retries >= deliveryRetryAttempts) {
          if (spec.deliveryRetryPolicy === 'SuspendRetries') {
            this.options.warn?.(`event subscription ${this.id} suspended: ${reason}`);
            this.record({
              type: 'SuspendSubscription',
              subscriptionId: this.id,
              reason: 'DeliveryFailed',
              message: reason,
            });
            throw new StopDelivery();
          }
          if (spec.deliveryRetryPolicy === 'TerminateAfterRetries') {
            this.options.warn?.(`event subscription ${this.id} terminated: ${reason}`);
            this.record({ type: 'TerminateSubscription', subscriptionId: this.id, message: reason });
            throw new StopDelivery();
          }
        }
        const interval = deliveryRetryIntervalSeconds * 1000;
        const backoff = spec.deliveryRetryPolicy === 'RetryForeverWithBackoff' && retries >= deliveryRetryAttempts;
        await this.sleep(
          backoff ? Math.min(MAX_BACKOFF_MS, interval * 2 ** (retries - deliveryRetryAttempts + 1)) : interval,
        );
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.abort.signal.aborted) return reject(new StopDelivery());
      const timer = setTimeout(() => {
        this.abort.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new StopDelivery());
      };
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private saveCheckpoint(position: number): void {
    if (position <= this.saved || !this.store.db.open) return;
    this.store.saveCheckpoint(deliveryCheckpoint(this.id), position);
    this.saved = position;
  }
}
