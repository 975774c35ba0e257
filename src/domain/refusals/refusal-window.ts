import { MAX_DROPPED_BUCKETS, type DroppedRefusals, type RequestRefusalsDropped } from './refusal-events.js';

/** How many refused requests the log takes, per window of time (config key `refusedRequests`). */
export interface RefusalLimits {
  /** Refusals recorded per client (actor, or user name tried) and path in a window. */
  readonly perActorAndPath: number;
  /** Refusals recorded in a window, all clients and paths together. */
  readonly total: number;
  readonly windowSeconds: number;
  /** The largest body kept whole; a larger one keeps its first this many bytes, as text. */
  readonly bodyLimitBytes: number;
}

export const DEFAULT_REFUSAL_LIMITS: RefusalLimits = {
  perActorAndPath: 10,
  total: 100,
  windowSeconds: 60,
  bodyLimitBytes: 4096,
};

/** Which refusal a decision is about: `who` is the actor, or the user name a failed login tried. */
export interface RefusalBucket {
  readonly who: string;
  readonly method: string;
  readonly path: string;
}

export type DroppedSummary = RequestRefusalsDropped['data'];

/**
 * The most buckets of dropped refusals a window keeps counts for: a client varying the path
 * would otherwise grow the count itself without limit. Drops past it are counted in the total only.
 */
export const MAX_TRACKED_BUCKETS = 1000;

/**
 * The count of one window of refusals: recorded ones per client and path, and the rest,
 * dropped, by bucket. Pure: the caller passes the time. A window starts with the first refusal
 * after the previous one ended, so a quiet service holds no window and no timer.
 *
 * Two limits, because either alone leaves a hole: per client and path, one client retrying in a
 * loop cannot hide another's refusals; the total bounds a client that varies the path.
 */
export class RefusalWindow {
  private startedMs: number | undefined;
  private readonly recorded = new Map<string, number>();
  private recordedTotal = 0;
  private readonly dropped = new Map<string, DroppedRefusals>();
  private droppedTotal = 0;

  constructor(private readonly limits: RefusalLimits) {}

  /** When the current window ends (undefined when none is open). */
  get endsAtMs(): number | undefined {
    return this.startedMs === undefined ? undefined : this.startedMs + this.limits.windowSeconds * 1000;
  }

  /**
   * Whether this refusal is recorded (true) or dropped and counted (false). A window that is
   * over is closed first: its summary, if it dropped any, is `closed`, to be written before
   * this refusal.
   */
  admit(bucket: RefusalBucket, nowMs: number): { readonly record: boolean; readonly closed?: DroppedSummary } {
    const ends = this.endsAtMs;
    const closed = ends !== undefined && nowMs >= ends ? this.close(nowMs) : undefined;
    this.startedMs ??= nowMs;
    const key = `${bucket.who}\n${bucket.path}`;
    const count = this.recorded.get(key) ?? 0;
    const record = count < this.limits.perActorAndPath && this.recordedTotal < this.limits.total;
    if (record) {
      this.recorded.set(key, count + 1);
      this.recordedTotal += 1;
    } else {
      const dropKey = `${bucket.who}\n${bucket.method}\n${bucket.path}`;
      const known = this.dropped.get(dropKey);
      if (known || this.dropped.size < MAX_TRACKED_BUCKETS)
        this.dropped.set(dropKey, { ...bucket, count: (known?.count ?? 0) + 1 });
      this.droppedTotal += 1;
    }
    return { record, ...(closed && { closed }) };
  }

  /** Ends the current window: the summary of what it dropped, or undefined when it dropped nothing. */
  close(nowMs: number): DroppedSummary | undefined {
    const started = this.startedMs;
    const summary: DroppedSummary | undefined =
      started === undefined || this.droppedTotal === 0
        ? undefined
        : {
            dropped: this.droppedTotal,
            since: new Date(started).toISOString(),
            until: new Date(Math.min(nowMs, started + this.limits.windowSeconds * 1000)).toISOString(),
            buckets: [...this.dropped.values()].sort((a, b) => b.count - a.count).slice(0, MAX_DROPPED_BUCKETS),
          };
    this.startedMs = undefined;
    this.recorded.clear();
    this.recordedTotal = 0;
    this.dropped.clear();
    this.droppedTotal = 0;
    return summary;
  }
}
