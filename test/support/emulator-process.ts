import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

/** `redfish-emulator serve` running as its own process, and where it serves. */
export interface EmulatorProcess {
  /** The service's origin, http or https, without the /redfish/v1 path. */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it printed so far: what a failing test shows. */
  output(): string;
}

/** Starts the built CLI's `serve` on a config file and resolves once it says where it serves. */
export function startEmulatorProcess(configFile: string): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [cli, 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
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

/** Stops it with `signal` and waits until it has exited; nothing when it has already. */
export async function stopEmulatorProcess(emulator: EmulatorProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (emulator.child.exitCode !== null || emulator.child.signalCode !== null) return;
  const exited = new Promise((resolve) => emulator.child.once('exit', resolve));
  emulator.child.kill(signal);
  await exited;
}
