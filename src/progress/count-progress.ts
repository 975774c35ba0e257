import { formatCountProgress } from './progress-line.js';
import type { ProgressDisplay } from './progress-display.js';
import type { ProgressCallback } from './long-work.js';

/**
 * A progress callback that draws "TASK (phase): done / total events (…%), rate, time left" on
 * `display`. The rate and time left are of the current phase, timed from the last report of
 * the phase before it (where this one began), or from now for the first.
 */
export function countProgress(display: ProgressDisplay, task: string, unit = 'events'): ProgressCallback {
  let phase: string | undefined;
  let phaseStarted = performance.now();
  let lastReport = phaseStarted;
  return (done, total, nextPhase) => {
    const now = performance.now();
    if (nextPhase !== phase) {
      phase = nextPhase;
      phaseStarted = lastReport;
    }
    lastReport = now;
    const label = phase ? `${task} (${phase})` : task;
    display.update(() => formatCountProgress({ task: label, done, total, unit, elapsedMs: now - phaseStarted }));
  };
}
