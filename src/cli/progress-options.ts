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

/** The progress display the flags ask for, on standard error. */
export function progressDisplay(values: { quiet?: boolean; progress?: boolean }): ProgressDisplay {
  return new ProgressDisplay(progressMode(values, process.stderr.isTTY === true));
}
