/** One long-running loop that is failing now: what /healthz lists and resources' Status show. */
export interface LoopFailure {
  /** Which loop: "storage reconciler", "event delivery to subscription 3". */
  readonly name: string;
  /** The resource whose work fails (a system, a storage), none for the service's own loops. */
  readonly resource?: string;
  /** When the first failure of this run of failures happened. */
  readonly failingSince: string;
  readonly lastError: string;
  /** How many attempts in a row have failed. */
  readonly attempts: number;
}

/**
 * What this process sees of its own loops (reconcilers, event delivery, observers, timers): each
 * reports a failed round and a good one. It is an observation of this process, not a fact about
 * the lab, so it is kept in memory and never recorded: a restart starts with every loop healthy
 * and the loops find out again. It says one line when a loop starts failing and one when it
 * recovers, never a line per retry.
 */
export class LoopHealth {
  private readonly failures = new Map<string, LoopFailure>();

  constructor(
    private readonly log: (line: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A round of `name` failed with `err`, on work for `resource` when it has one. */
  failed(name: string, err: unknown, resource?: string): void {
    const lastError = err instanceof Error ? err.message : String(err);
    const earlier = this.failures.get(name);
    if (!earlier)
      this.log(
        `${name}: failing${resource ? ` on ${resource}` : ''}: ${lastError}; retrying with backoff until it goes through`,
      );
    this.failures.set(name, {
      name,
      ...(resource !== undefined && { resource }),
      failingSince: earlier?.failingSince ?? this.now().toISOString(),
      lastError,
      attempts: (earlier?.attempts ?? 0) + 1,
    });
  }

  /** A round of `name` went through: it is no longer failing. */
  succeeded(name: string): void {
    const earlier = this.failures.get(name);
    if (!earlier) return;
    this.failures.delete(name);
    this.log(
      `${name}: recovered after ${earlier.attempts} failed attempt${earlier.attempts === 1 ? '' : 's'} since ${earlier.failingSince}`,
    );
  }

  /** Runs one round of `name`, reporting how it went; its error is still the caller's. */
  async round<T>(name: string, work: () => Promise<T> | T, resource?: string): Promise<T> {
    try {
      const result = await work();
      this.succeeded(name);
      return result;
    } catch (err) {
      this.failed(name, err, resource);
      throw err;
    }
  }

  /** The loops failing now, the longest failing first. */
  failing(): LoopFailure[] {
    return [...this.failures.values()].sort((a, b) => a.failingSince.localeCompare(b.failingSince));
  }
}
