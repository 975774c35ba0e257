import type { RecordedEvent } from './event.js';
import type { EventStore } from './event-store.js';
import { subscribe, type Subscription } from './subscription.js';
import type { LoopHealth } from '../health/loop-health.js';

export interface FollowLogOptions {
  /** Who follows, for /healthz and the log lines: "storage reconciler". */
  readonly name: string;
  /** Deliver events after this position. */
  readonly afterPosition: number;
  /** Called once per event, in order. An error is retried: the same event is handed again. */
  readonly handler: (event: RecordedEvent) => void | Promise<void>;
  /** Where the follower says it is failing and recovered. */
  readonly health: Pick<LoopHealth, 'failed' | 'succeeded'>;
  /** The resource an event's failure shows on (none: the service's own loop, shown on the Managers). */
  readonly resourceOf?: (event: RecordedEvent) => string | undefined;
  /** Errors that end the follower for good instead of being retried (the handler's own way to stop). */
  readonly stopsOn?: (err: Error) => boolean;
  /** The first wait after an error, doubled at each failure in a row up to maxRetryMs. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

export interface LogFollower {
  /** The error of the last attempt while the follower is failing, undefined once an event went through. */
  readonly failing: string | undefined;
  /** The position of the last event handled. */
  readonly position: number;
  /** Settles once closed, or stopped by an error `stopsOn` accepts (rejected with it). */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

/**
 * A subscription that never stops for good on its handler's errors (the disk full, libvirt
 * gone in the middle of a step): it reports the failure, waits, and subscribes again from the
 * last event it handled, so the failed event is handed again. Handlers are idempotent (they
 * check before they act), which makes the retry safe.
 */
export function followLog(store: EventStore, options: FollowLogOptions): LogFollower {
  const retryMs = options.retryMs ?? 1000;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  let failures = 0;
  let failing: string | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Subscription;
  let settle!: (err?: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  done.catch(() => undefined);
  /** The event being handled, whose stream a failure is shown on. */
  let handling: RecordedEvent | undefined;

  const handler = async (event: RecordedEvent) => {
    handling = event;
    await options.handler(event);
    failures = 0;
    failing = undefined;
    options.health.succeeded(options.name);
  };
  const follow = (afterPosition: number) => {
    const subscription = subscribe(store, { afterPosition, handler });
    current = subscription;
    subscription.done.then(
      () => settle(),
      (err: Error) => {
        if (closed) return settle();
        if (options.stopsOn?.(err)) return settle(err);
        failing = err.message;
        options.health.failed(options.name, err, handling && options.resourceOf?.(handling));
        const wait = Math.min(maxRetryMs, retryMs * 2 ** failures);
        failures += 1;
        timer = setTimeout(() => follow(subscription.position), wait);
      },
    );
  };
  follow(options.afterPosition);

  return {
    get failing() {
      return failing;
    },
    get position() {
      return current.position;
    },
    done,
    async close() {
      closed = true;
      clearTimeout(timer);
      await current.close();
      settle();
    },
  };
}
