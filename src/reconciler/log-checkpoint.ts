import type { EventStore } from '../eventstore/event-store.js';

/** How long the place after events passed over may wait before it is saved. */
const PASSED_SAVE_DELAY_MS = 1000;

/**
 * A follower's place in the log (EventStore.checkpoint). After an event it acted on, the place is
 * saved at once, so a restart never carries that event out again. After an event it passed over
 * (most of them: another stream's, or of a type it leaves alone), saving waits up to a second and
 * covers every event passed over meanwhile: each save is a commit of its own, and saving after
 * every event made three commits (one per reconciler) for each one appended. Should the process
 * stop before that save, it hands those events again after a restart, and they are passed over
 * again; `stop` saves at once.
 */
export class LogCheckpoint {
  private saved: number;
  /** Events after `saved` already acted on (work done out of log order), as last saved. */
  private savedAhead: readonly number[];
  /** The events after the place saved by an earlier run that it had acted on: not to be carried out again. */
  private readonly actedBeforeStart: ReadonlySet<number>;
  private passedAt: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly name: string,
    private readonly delayMs = PASSED_SAVE_DELAY_MS,
  ) {
    this.saved = store.checkpoint(name) ?? 0;
    this.savedAhead = store.checkpointAhead(name);
    this.actedBeforeStart = new Set(this.savedAhead);
    this.passedAt = this.saved;
  }

  /** Whether the event at `position`, after the place, was acted on before this start. */
  actedBefore(position: number): boolean {
    return this.actedBeforeStart.has(position);
  }

  /**
   * Work done out of log order: every event up to `through` is done, and those at `ahead` after
   * it were acted on. Saved at once, as `acted` is.
   */
  actedThrough(through: number, ahead: readonly number[]): void {
    this.passedAt = Math.max(this.passedAt, through);
    const place = Math.max(through, this.saved);
    // Those acted on before this start and not reached yet stay saved, should it stop again first.
    const earlier = [...this.actedBeforeStart].filter((done) => done > place);
    this.saveWith(place, [...earlier, ...ahead.filter((done) => done > place)]);
  }

  /** Where the follower starts: after the last place saved. */
  get position(): number {
    return this.saved;
  }

  /** The follower carried out the event at `position`: saved now. */
  acted(position: number): void {
    this.passedAt = Math.max(this.passedAt, position);
    this.save(position);
  }

  /** The follower had nothing to do for the event at `position`: saved within the delay. */
  passed(position: number): void {
    this.passedAt = position;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      try {
        if (this.store.db.open) this.save(this.passedAt);
      } catch {
        // Nothing is lost (the disk full, the store closed under a follower not stopped): the
        // events passed over are handed again after a restart, and passed over again.
      }
    }, this.delayMs).unref();
  }

  /** Saves the place of the last event handled, passed over or not; for when the follower stops. */
  stop(): void {
    if (this.passedAt > this.saved) this.save(this.passedAt);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private save(position: number): void {
    if (position <= this.saved) return;
    this.saveWith(
      position,
      this.savedAhead.filter((done) => done > position),
    );
  }

  private saveWith(position: number, ahead: readonly number[]): void {
    this.store.saveCheckpoint(this.name, position, ahead);
    this.saved = position;
    this.savedAhead = ahead;
  }
}
