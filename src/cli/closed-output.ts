/**
 * A reader that stops early (`history --json | head -1`) closes the pipe under the command;
 * every write after that fails with EPIPE. Nothing is left worth printing then, least of all a
 * stack trace: the command ends at once and quietly, as Unix tools do, with the exit code it
 * had so far (so `set -o pipefail` scripts do not fail on `| head`).
 */
export function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    });
  }
}
