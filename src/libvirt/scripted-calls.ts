/**
 * Failures and holds scripted on a simulated host's calls, by method name: a call that throws
 * once, or one that does not return until released. What a reconciler does when the host fails
 * under it, or when it is stopped in the middle of a step, is then tested without a daemon.
 */
export class ScriptedCalls {
  private readonly failures = new Map<string, Error[]>();
  private readonly holds = new Map<string, { reached: () => void; released: Promise<void> }[]>();

  /** The next call of `method` throws `error` instead of running. */
  failNext(method: string, error: Error): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  /**
   * The next call of `method` waits, before it runs, until `release` is called; `reached`
   * settles when the call gets there.
   */
  holdNext(method: string): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(method, [...(this.holds.get(method) ?? []), { reached, released }]);
    return { reached: reachedPromise, release };
  }

  /** Called first by every method of the host: a scripted hold waits, a scripted failure throws. */
  async meet(method: string): Promise<void> {
    const hold = this.holds.get(method)?.shift();
    if (hold) {
      hold.reached();
      await hold.released;
    }
    const error = this.failures.get(method)?.shift();
    if (error) throw error;
  }
}
