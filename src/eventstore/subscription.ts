import type { RecordedEvent } from './event.js';
import type { EventStore } from './event-store.js';

export interface SubscriptionOptions {
  /** Deliver events after this position (0 = from the beginning). */
  readonly afterPosition: number;
  /** Called once per event, in order; the next event waits until the promise settles. */
  readonly handler: (event: RecordedEvent) => void | Promise<void>;
  /**
   * How often to look for events appended by other processes on the same file (e.g. a CLI
   * command run beside the server). In-process appends are delivered without waiting for it.
   */
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
}

export interface Subscription {
  /** The position of the last event handed to the handler. */
  readonly position: number;
  /** Settles when the subscription stops: after close(), or rejected with the handler's error. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

/**
 * Catch-up then live delivery of committed events. A handler error stops the subscription and
 * rejects `done`; the subscriber decides whether to resubscribe from `position`.
 */
export function subscribe(store: EventStore, options: SubscriptionOptions): Subscription {
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 500;
  let position = options.afterPosition;
  let closed = false;
  // Commits seen while the handler was busy: checked before sleeping so none waits for the poll.
  let newestCommitted = 0;
  let wake: (() => void) | undefined;

  const sleepUntilCommitOrPoll = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollIntervalMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wake = undefined;
    });

  const stopListening = store.commits.listen((committed) => {
    newestCommitted = Math.max(newestCommitted, committed);
    if (committed > position) wake?.();
  });

  const done = (async () => {
    try {
      while (!closed) {
        const batch = store.readAfter(position, batchSize);
        for (const event of batch) {
          if (closed) return;
          await options.handler(event);
          position = event.position;
        }
        const caughtUp = batch.length < batchSize && newestCommitted <= position;
        if (caughtUp && !closed) await sleepUntilCommitOrPoll();
      }
    } finally {
      stopListening();
    }
  })();

  return {
    get position() {
      return position;
    },
    done,
    async close() {
      closed = true;
      wake?.();
      await done.catch(() => undefined);
    },
  };
}
