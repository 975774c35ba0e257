import { afterEach, describe, expect, it } from 'vitest';
import { startEmulatorProcess, stopEmulatorProcess, type EmulatorProcess } from '../support/emulator-process.js';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';
import { uniqueName } from '../support/libvirt.js';

const tempDir = useTempDirs();
const running: EmulatorProcess[] = [];
afterEach(async () => {
  for (const emulator of running.splice(0)) await stopEmulatorProcess(emulator, 'SIGKILL');
});

describe('a configured domain that libvirt does not hold, with createMissingDomains false', { timeout: 60_000 }, () => {
  it('is announced at start, and the system is Absent', async () => {
    // Never defined: nothing of it is left in libvirt to remove.
    const domain = uniqueName('missing');
    const { file } = testConfig(tempDir(), {
      libvirt: { uri: 'qemu:///system' },
      lab: { createMissingDomains: false, systems: [{ id: 'gone', name: 'Gone', domain, vcpus: 1, memoryMiB: 64 }] },
    });
    const emulator = await startEmulatorProcess(file);
    running.push(emulator);

    await expect.poll(() => emulator.output(), { timeout: 30_000, interval: 100 }).toContain(
      `lab: system gone's domain ${domain} is not in libvirt (qemu:///system) and lab.createMissingDomains is false: define it, or set lab.createMissingDomains to true; the system is Absent until then`,
    );
    await expect
      .poll(async () => ((await (await fetch(`${emulator.url}/redfish/v1/Systems/gone`)).json()) as { Status: { State: string } }).Status.State, { timeout: 30_000, interval: 200 })
      .toBe('Absent');
  });
});
