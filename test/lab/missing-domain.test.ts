import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { startEmulatorProcess, stopEmulatorProcess, type EmulatorProcess } from '../support/emulator-process.js';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { removeLabByName, uniqueName } from '../support/libvirt.js';

const tempDir = useTempDirs();
const running: EmulatorProcess[] = [];
afterEach(async () => {
  for (const emulator of running.splice(0)) await stopEmulatorProcess(emulator, 'SIGKILL');
});

describe('a configured domain that libvirt does not hold, with createMissingDomains false', { timeout: 60_000 }, () => {
  it('is announced at start, and the system is Absent', async () => {
    // The domain is never defined; the lab's pool (a config always has one) is the test's own.
    const domain = uniqueName('missing');
    const pool = uniqueName('pool');
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const libvirt = await LibvirtClient.connect('qemu:///system');
    onTestFinished(async () => {
      await removeLabByName(libvirt, { domain, pool });
      await libvirt.close();
    });
    const { file } = testConfig(dir, {
      libvirt: { uri: 'qemu:///system', pool: { name: pool, path: join(dir, 'pool') } },
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
