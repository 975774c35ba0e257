import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/project-root.js';

// From the project root, not this module: it also runs built, from dist/ (npm run soak).
const cli = join(projectRoot(), 'dist', 'src', 'cli.js');

/** `redfish-emulator serve` as a separate process, as users run it. */
export interface EmulatorProcess {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
}

/** Starts `serve --config FILE` and resolves once it says where it serves. */
export function startEmulatorProcess(configFile: string, args: readonly string[] = []): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [cli, 'serve', '--config', configFile, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /serving (https?:\/\/[^/\s]+)\/redfish\/v1/.exec(output)?.[1];
      if (url) resolve({ url, child, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`emulator exited (${code}): ${output}`)));
  });
}

/** Stops it with `signal` and waits until it has exited; resolves with its exit code. */
export async function stopEmulatorProcess(
  emulator: EmulatorProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (emulator.child.exitCode !== null || emulator.child.signalCode !== null) return emulator.child.exitCode;
  const exited = new Promise<number | null>((resolve) => emulator.child.once('exit', (code) => resolve(code)));
  emulator.child.kill(signal);
  return exited;
}
