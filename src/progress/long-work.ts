import { setImmediate as nextTurn } from 'node:timers/promises';

/** Long work was asked to stop (Ctrl-C, SIGTERM) and stopped where it could do so cleanly. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
  }
}

/** Reports how far long work has got: `done` of `total` items (events), in which of its phases if it has several. */
export type ProgressCallback = (done: number, total: number, phase?: string) => void;

/** What a long piece of work takes besides its own arguments: a way to stop it, and a way to watch it. */
export interface LongWork {
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressCallback;
}

/** Items between two progress reports and two turns of the event loop: a few milliseconds of work. */
export const PROGRESS_EVERY = 2_000;

/**
 * Lets the event loop run (so a signal handler can note an interruption), then stops the work
 * if it was interrupted. Work that runs in one synchronous stretch would otherwise not see a
 * Ctrl-C until it ends.
 */
export async function breathe(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await nextTurn();
  if (signal.aborted) throw new InterruptedError();
}
