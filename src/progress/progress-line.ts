/**
 * The words of a progress line, from counts and times alone: no clock, no terminal. What draws
 * them (progress-display.ts) decides where and how often.
 */

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A duration as a person reads it: "0.4 s", "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export interface CountProgress {
  /** What is being done, e.g. "import" or "scenario export: projecting". */
  readonly task: string;
  readonly done: number;
  readonly total: number;
  /** What is counted, plural: "events". */
  readonly unit: string;
  /** Since the work began. */
  readonly elapsedMs: number;
}

/**
 * "import: 412,000 / 1,000,000 events (41%), 85,300/s, 7.0 s left". The rate is the average
 * since the start (steady enough for a store's work), and the time left what remains at that
 * rate; both are left out until there is something to measure.
 */
export function formatCountProgress(p: CountProgress): string {
  const share = p.total > 0 ? ` (${Math.floor((100 * Math.min(p.done, p.total)) / p.total)}%)` : '';
  let line = `${p.task}: ${formatCount(p.done)} / ${formatCount(p.total)} ${p.unit}${share}`;
  if (p.done > 0 && p.elapsedMs > 0) {
    const perSecond = (p.done * 1000) / p.elapsedMs;
    line += `, ${formatCount(perSecond)}/s`;
    if (p.total > p.done) line += `, ${formatDuration(((p.total - p.done) / perSecond) * 1000)} left`;
  }
  return line;
}

/** What a replay is waiting for: outcomes (by their keys, "ResetApplied /redfish/v1/Systems/s1") and for how long. */
export interface ReplayWait {
  readonly outcomes: readonly string[];
  readonly waitedMs: number;
  readonly patienceLeftMs: number;
}

export interface ReplayProgressState {
  /** The step under way, counted from 1, of `steps`. */
  readonly step: number;
  readonly steps: number;
  /** Its command, e.g. "ResetSystem"; absent before the first step. */
  readonly command?: string;
  readonly setup?: boolean;
  /** What the step waits for before the next one may go, when it waits. */
  readonly waiting?: ReplayWait;
  readonly differences: number;
}

/** An outcome key is the event type, then the resource, then what tells it apart (a power state). */
function describeOutcome(key: string): string {
  const [type, resource, ...rest] = key.split(' ');
  return `${type}${rest.length > 0 ? ` ${rest.join(' ')}` : ''}${resource ? ` on ${resource}` : ''}`;
}

/**
 * "replay: step 3/6 ResetSystem, waiting 12 s for ResetApplied on /redfish/v1/Systems/s1
 * (+1 more), 48 s of patience left, 0 differences so far".
 */
export function formatReplayProgress(p: ReplayProgressState): string {
  const step = p.command
    ? `step ${p.step}/${p.steps} ${p.command}${p.setup ? ' (setup)' : ''}`
    : `step ${p.step}/${p.steps}`;
  const parts = [`replay: ${step}`];
  if (p.waiting && p.waiting.outcomes.length > 0) {
    const [first, ...others] = p.waiting.outcomes;
    const more = others.length > 0 ? ` (+${others.length} more)` : '';
    parts.push(
      `waiting ${formatDuration(p.waiting.waitedMs)} for ${describeOutcome(first!)}${more}`,
      `${formatDuration(p.waiting.patienceLeftMs)} of patience left`,
    );
  }
  parts.push(`${p.differences} ${p.differences === 1 ? 'difference' : 'differences'} so far`);
  return parts.join(', ');
}
