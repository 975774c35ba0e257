/**
 * Where progress lines go: standard error, redrawn in place on a terminal, or as plain lines
 * at most once a second when forced elsewhere (a CI log), or nowhere. A few lines of our own
 * rather than a library: one status line needs a carriage return and "erase line", nothing more.
 */

/** off: nothing; redraw: one line rewritten in place (a terminal); lines: a new line each time. */
export type ProgressMode = 'off' | 'redraw' | 'lines';

/** The mode the flags and standard error call for: --quiet wins, --progress forces, else a terminal decides. */
export function progressMode(flags: { quiet?: boolean; progress?: boolean }, stderrIsTerminal: boolean): ProgressMode {
  if (flags.quiet) return 'off';
  if (stderrIsTerminal) return 'redraw';
  return flags.progress ? 'lines' : 'off';
}

/** How often a line may be drawn: often enough to look alive, rarely enough to cost nothing. */
const INTERVAL_MS: Record<ProgressMode, number> = { off: Infinity, redraw: 100, lines: 1000 };

const ERASE_LINE = '\r\x1b[2K';

export class ProgressDisplay {
  private lastDrawn = -Infinity;
  private shown = false;

  constructor(
    readonly mode: ProgressMode,
    private readonly write: (text: string) => void = (text) => void process.stderr.write(text),
    private readonly now: () => number = () => performance.now(),
  ) {}

  get enabled(): boolean {
    return this.mode !== 'off';
  }

  /**
   * Shows `line` if enough time has passed since the last one (or `force`). `line` is a
   * function so that a caller in a hot loop pays for formatting only when it is drawn.
   */
  update(line: () => string, force = false): void {
    if (this.mode === 'off') return;
    const now = this.now();
    if (!force && now - this.lastDrawn < INTERVAL_MS[this.mode]) return;
    this.lastDrawn = now;
    if (this.mode === 'redraw') {
      this.write(`${ERASE_LINE}${line()}`);
      this.shown = true;
    } else this.write(`${line()}\n`);
  }

  /** Takes the redrawn line away, so that what is printed next starts on a clean line. */
  clear(): void {
    if (this.mode === 'redraw' && this.shown) this.write(ERASE_LINE);
    this.shown = false;
  }

  /** Prints a message (a warning, the lab's log) without tearing the progress line. */
  message(text: string): void {
    this.clear();
    this.write(`${text}\n`);
    this.lastDrawn = -Infinity;
  }
}
