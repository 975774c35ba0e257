import { ProgressDisplay, progressMode } from '../progress/progress-display.js';

/** The options every command that shows progress accepts. */
export const progressOptions = {
  quiet: { type: 'boolean', short: 'q' },
  progress: { type: 'boolean' },
} as const;

export const PROGRESS_OPTIONS_HELP = [
  '  -q, --quiet       no progress on standard error',
  '  --progress        progress even when standard error is not a terminal (a line a second)',
].join('\n');

/**
 * The progress display the flags ask for, on standard error. A command whose output goes to
 * standard output (`dataOnStdout`) draws none there when that is the terminal too: a line
 * redrawn in the middle of the data would tear it.
 */
export function progressDisplay(
  values: { quiet?: boolean; progress?: boolean },
  dataOnStdout = false,
): ProgressDisplay {
  const sharedTerminal = dataOnStdout && process.stdout.isTTY === true;
  return new ProgressDisplay(progressMode(values, process.stderr.isTTY === true && !sharedTerminal));
}
