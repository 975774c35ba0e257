import type { RecordedEvent } from './event.js';
import type { EventStore } from './event-store.js';
import { subscribe, type Subscription } from './subscription.js';

export interface FollowLogOptions {
  /** Who follows, for the log lines: "storage reconciler". */
  readonly name: string;
  /** Deliver events after this position. */
  readonly afterPosition: number;
  /** Called once per event, in order. An error is retried: the same event is handed again. */
  readonly handler: (event: RecordedEvent) => void | Promise<void>;
  readonly log: (line: string) => void;
  /** The first wait after an error, doubled at each failure in a row up to maxRetryMs. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

export interface LogFollower {
  /** The error of the last attempt while the follower is failing, undefined once an event went through. */
  readonly failing: string | undefined;
  close(): Promise<void>;
}

/**
 * A subscription that never stops for good on its handler's errors (the disk full, libvirt
 * gone in the middle of a step): it says so, waits, and subscribes again from the last event
 * it handled, so the failed event is handed again. Handlers are idempotent (they check before
 * they act), which makes the retry safe.
 */
export function followLog(store: EventStore, options: FollowLogOptions): LogFollower {
  const retryMs = options.retryMs ?? 1000;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  let failures = 0;
  let failing: string | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Subscription;

  const handler = async (event: RecordedEvent) => {
    await options.handler(event);
    if (failures > 0) options.log(`${options.name}: going again from position ${event.position}`);
    failures = 0;
    failing = undefined;
  };
  const follow = (afterPosition: number) => {
    const subscription = subscribe(store, { afterPosition, handler });
    current = subscription;
    subscription.done.catch((err: Error) => {
      if (closed) return;
      failing = err.message;
      const wait = Math.min(maxRetryMs, retryMs * 2 ** failures);
      failures += 1;
      options.log(`${options.name}: ${err.message}; trying again in ${wait / 1000} s from position ${subscription.position}`);
      timer = setTimeout(() => follow(subscription.position), wait);
    });
  };
  follow(options.afterPosition);

  return {
    get failing() {
      return failing;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await current.close();
    },
  };
}
