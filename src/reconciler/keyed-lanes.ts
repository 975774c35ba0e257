import type { LoopHealth } from '../health/loop-health.js';
import type { LogCheckpoint } from './log-checkpoint.js';

export interface KeyedLanesOptions {
  /** How many events' work runs at once, at most. */
  readonly width: number;
  /** The loop's name on /healthz, which a lane's failures show under. */
  readonly name: string;
  readonly health: Pick<LoopHealth, 'failed' | 'succeeded'>;
  /** Where the log is done up to, saved as work finishes. */
  readonly checkpoint: LogCheckpoint;
  /** The first wait after a failure, doubled at each failure in a row up to maxRetryMs. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

/**
 * Events' work run side by side: one after another for one key (a domain), at once for
 * different keys, `width` at most. Carried out one event after another, a hundred systems reset
 * at once each wait for the others' host calls, and under a burst of requests a reconciler gets
 * one call answered per turn of the event loop.
 *
 * Work that fails is tried again on its own lane with backoff (that lane's later work waits for
 * it) while the other lanes go on. The checkpoint says every event is done up to the one before
 * the oldest work not done, and which after it are done, so a restart carries out only what was
 * not: events are handed in log order, and a lane's work is never started after it is closed.
 */
export class KeyedLanes {
  /** The last work queued on each key's lane. */
  private readonly tails = new Map<string, Promise<void>>();
  /** Positions of the work queued and not done, oldest first (a Set keeps the order they came in). */
  private readonly pending = new Set<number>();
  /** Positions of work done while older work was still pending. */
  private readonly doneAhead = new Set<number>();
  /** The newest position handed, work or not. */
  private handed: number;
  private queued = 0;
  private readonly roomWaiters: (() => void)[] = [];
  /** The keys whose work is failing now. */
  private readonly failing = new Set<string>();
  /** Retries waiting for their time, cut short by close. */
  private readonly retryWaits = new Set<() => void>();
  private closed = false;
  /**
   * The health the log's follower reports to: a follower that hands events on succeeds at every
   * one, and that must not clear a lane's failure.
   */
  readonly followerHealth: Pick<LoopHealth, 'failed' | 'succeeded'>;

  constructor(private readonly options: KeyedLanesOptions) {
    this.handed = options.checkpoint.position;
    this.followerHealth = {
      failed: (name, err, resource) => options.health.failed(name, err, resource),
      succeeded: (name) => {
        if (this.failing.size === 0) options.health.succeeded(name);
      },
    };
  }

  /**
   * Queues `work` for the event at `position` behind the key's earlier work, and resolves once
   * fewer than `width` are queued, so the follower hands no more than the lanes take.
   */
  async add(key: string, position: number, work: () => Promise<void>, resource?: string): Promise<void> {
    if (this.closed) return;
    this.handed = position;
    this.pending.add(position);
    this.queued += 1;
    const tail = (this.tails.get(key) ?? Promise.resolve()).then(async () => {
      if (await this.untilDone(key, work, resource)) this.done(position);
    });
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      this.queued -= 1;
      this.roomWaiters.shift()?.();
    });
    while (this.queued >= this.options.width && !this.closed)
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  /** The event at `position` needs no work. */
  pass(position: number): void {
    this.handed = position;
    if (this.pending.size === 0) this.options.checkpoint.passed(position);
  }

  /** Takes no more work, cuts retries short and resolves once the work under way is over. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.roomWaiters.splice(0)) wake();
    for (const wake of this.retryWaits) wake();
    await Promise.all(this.tails.values());
  }

  /** Runs the work until it goes through; false when the lanes closed first. */
  private async untilDone(key: string, work: () => Promise<void>, resource: string | undefined): Promise<boolean> {
    const { name, health, retryMs = 1000, maxRetryMs = 30_000 } = this.options;
    for (let failures = 0; !this.closed; failures += 1) {
      try {
        await work();
        this.failing.delete(key);
        if (this.failing.size === 0) health.succeeded(name);
        return true;
      } catch (err) {
        this.failing.add(key);
        health.failed(name, err, resource);
        await this.pause(Math.min(maxRetryMs, retryMs * 2 ** failures));
      }
    }
    return false;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.retryWaits.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.retryWaits.add(wake);
    });
  }

  /** The work at `position` is done: the checkpoint moves as far as the oldest work not done lets it. */
  private done(position: number): void {
    const oldest = this.pending.values().next().value;
    this.pending.delete(position);
    if (position !== oldest) this.doneAhead.add(position);
    const next = this.pending.values().next().value;
    const through = next === undefined ? this.handed : next - 1;
    for (const ahead of this.doneAhead) if (ahead <= through) this.doneAhead.delete(ahead);
    this.options.checkpoint.actedThrough(through, [...this.doneAhead]);
  }
}
