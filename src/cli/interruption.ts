/** The exit codes a shell gives a process killed by these signals (128 + the signal's number). */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

type StopSignal = keyof typeof EXIT_CODES;

export interface Interruption {
  /** Aborted at the first SIGINT or SIGTERM: the work stops where it can do so cleanly. */
  readonly signal: AbortSignal;
  /** 130 after a SIGINT, 143 after a SIGTERM, undefined while none came. */
  readonly exitCode: number | undefined;
  /** Gives the signals back to their default action. */
  dispose(): void;
}

/**
 * Catches SIGINT and SIGTERM for the length of a command's long work. The first asks the work
 * to stop and clean up after itself (`onFirst` says so to the user); a second one exits at
 * once, after printing what `leftBehind` says is left where it was.
 */
export function catchInterruptions(onFirst: (signal: StopSignal) => void, leftBehind: () => string): Interruption {
  const controller = new AbortController();
  let exitCode: number | undefined;
  const handle = (signal: StopSignal) => {
    if (exitCode === undefined) {
      exitCode = EXIT_CODES[signal];
      onFirst(signal);
      controller.abort();
      return;
    }
    process.stderr.write(`\ninterrupted again: stopping now. ${leftBehind()}\n`);
    process.exit(exitCode);
  };
  const onInt = () => handle('SIGINT');
  const onTerm = () => handle('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    get exitCode() {
      return exitCode;
    },
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
