import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `redfish-emulator` CLI as a user would, with a clean environment of our own (and in `cwd`, when given). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string): CliRun {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    cwd,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** User nobody's id: what a closed directory or a privileged port refuses. */
export const NOBODY = 65534;

/** Runs the built CLI as user nobody (util-linux setpriv), which needs root to switch to it. */
export function runCliAsNobody(args: readonly string[]): CliRun {
  const result = spawnSync(
    'setpriv',
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, cli, ...args],
    {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'], HOME: '/tmp' },
      timeout: 60_000,
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A shell word for `value`, quoted. */
function shellWord(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * Runs the built CLI under a pseudo-terminal (util-linux `script`), as on a user's terminal:
 * what it wrote to standard output and error, together, as the terminal received it.
 */
export function runCliInTerminal(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): { code: number | null; output: string } {
  const command = [process.execPath, cli, ...args].map(shellWord).join(' ');
  const result = spawnSync('script', ['-qfec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], TERM: 'xterm', ...env },
    timeout: 120_000,
  });
  return { code: result.status, output: result.stdout };
}

/** A CLI process left running, to signal or kill mid-way. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  /** Resolves once standard error matches `pattern`; rejects if the process ends first or after `ms`. */
  stderrMatches(pattern: RegExp, ms?: number): Promise<void>;
  /** The exit code, or 128 + the signal's number when a signal ended it. */
  readonly exited: Promise<number>;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (output.stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (output.stderr += text));
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 0))),
  );
  let closed = false;
  child.once('close', () => (closed = true));
  // Looked at as each chunk comes, not on a timer: a test that signals the process at a line
  // sends it within a millisecond of it, before the process has moved on.
  const stderrMatches = (pattern: RegExp, ms = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        child.off('close', onClose);
      };
      const matched = () => {
        if (!pattern.test(output.stderr)) return false;
        stop();
        resolve();
        return true;
      };
      const onData = () => void matched();
      const onClose = () => {
        if (matched()) return;
        stop();
        reject(
          new Error(`the CLI ended before its standard error matched ${pattern}:\n${output.stderr}\n${output.stdout}`),
        );
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`standard error did not match ${pattern} within ${ms} ms:\n${output.stderr}`));
      }, ms);
      if (closed) return onClose();
      if (matched()) return;
      child.stderr!.on('data', onData);
      child.once('close', onClose);
    });
  return { child, output, stderrMatches, exited };
}
