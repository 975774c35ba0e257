import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/project-root.js';

const run = promisify(execFile);
// From the project root, not this module: it also runs built, from dist/ (npm run soak).
const ensure = join(projectRoot(), 'scripts', 'ensure-libvirtd');

/** Stops the system libvirtd and starts it again, with systemd where there is one. */
export async function restartLibvirtd(): Promise<void> {
  if (existsSync('/run/systemd/system')) {
    await run('systemctl', ['restart', 'libvirtd']);
    return;
  }
  // Stop it and wait until it is gone, so the new daemon can take the sockets and locks.
  await run('bash', [
    '-c',
    'pkill -x libvirtd; for i in $(seq 1 100); do pgrep -x libvirtd >/dev/null || exit 0; sleep 0.1; done; exit 1',
  ]);
  await run(ensure);
}
