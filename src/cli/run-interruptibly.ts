import { catchInterruptions } from './interruption.js';
import { InterruptedError } from '../progress/long-work.js';
import type { ProgressDisplay } from '../progress/progress-display.js';

/** What a command tells the user when it is interrupted: after stopping cleanly, and when told to stop at once. */
export interface InterruptionNotes {
  /** e.g. "nothing was written". */
  readonly stopped: string;
  /** e.g. "a partial file may be left beside the target". */
  readonly leftBehind: string;
}

/** For commands that write a file through write-whole-file.ts. */
export const FILE_OUTPUT_NOTES: InterruptionNotes = {
  stopped: 'no file was written',
  leftBehind: 'A hidden .NAME.PID.partial file may be left beside the output.',
};

/**
 * Runs a command's long work with Ctrl-C and SIGTERM caught: the work gets an AbortSignal, and
 * stops with an InterruptedError where it can do so cleanly. Answers the command's exit code: 0
 * when the work ended, 130 or 143 when it was interrupted.
 */
export async function runInterruptibly(
  display: ProgressDisplay,
  notes: InterruptionNotes,
  work: (signal: AbortSignal) => Promise<void>,
): Promise<number> {
  const interruption = catchInterruptions(
    (signal) => display.message(`${signal}: stopping…`),
    () => notes.leftBehind,
  );
  try {
    await work(interruption.signal);
    return 0;
  } catch (err) {
    if (!(err instanceof InterruptedError) || interruption.exitCode === undefined) throw err;
    display.message(`interrupted: ${notes.stopped}`);
    return interruption.exitCode;
  } finally {
    display.clear();
    interruption.dispose();
  }
}
