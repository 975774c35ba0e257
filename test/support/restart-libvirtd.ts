import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ensure = fileURLToPath(new URL('../../scripts/ensure-libvirtd', import.meta.url));

/** Stops the system libvirtd and starts it again, with systemd where there is one. */
export async function restartLibvirtd(): Promise<void> {
  if (existsSync('/run/systemd/system')) {
    await run('systemctl', ['restart', 'libvirtd']);
    return;
  }
  // Stop it and wait until it is gone, so the new daemon can take the sockets and locks.
  await run('bash', ['-c', 'pkill -x libvirtd; for i in $(seq 1 100); do pgrep -x libvirtd >/dev/null || exit 0; sleep 0.1; done; exit 1']);
  await run(ensure);
}
