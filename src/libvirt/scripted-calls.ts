import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Calls of the host answered between two turns of the event loop, at most. Under a burst of
 * requests each turn also serves a request per connection: at 64, ten thousand resets posted at
 * once were carried out at half the rate they were acknowledged (all On 13 s after the last
 * answer, 6 s at 256).
 */
const CALLS_PER_TURN = 256;

/**
 * Failures and holds scripted on a simulated host's calls, by method name: a call that throws
 * once, or one that does not return until released. What a reconciler does when the host fails
 * under it, or when it is stopped in the middle of a step, is then tested without a daemon.
 */
export class ScriptedCalls {
  private callsSinceTurn = 0;
  /** The turn of the event loop calls wait for, once CALLS_PER_TURN were answered since the last. */
  private turn?: Promise<void>;
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

  /**
   * Called first by every method of the host: a scripted hold waits, a scripted failure throws.
   * A real host's answer comes over its socket, at a later turn of the event loop; this one's
   * come at once, so after CALLS_PER_TURN calls the next wait for a turn: a loop over ten thousand
   * simulated systems lets requests in along the way, and a reconciler carrying out one reset
   * after another is not slowed by a turn per call.
   */
  async meet(method: string): Promise<void> {
    this.callsSinceTurn += 1;
    if (this.callsSinceTurn >= CALLS_PER_TURN) {
      // Every call from here on waits for the same turn, whichever of many loops makes it.
      this.turn ??= nextTurn().then(() => {
        this.turn = undefined;
        this.callsSinceTurn = 0;
      });
      await this.turn;
    }
    const hold = this.holds.get(method)?.shift();
    if (hold) {
      hold.reached();
      await hold.released;
    }
    const error = this.failures.get(method)?.shift();
    if (error) throw error;
  }
}
