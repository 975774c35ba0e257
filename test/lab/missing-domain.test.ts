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
  it('is announced once at start, and the system is Absent (Critical), with no power state and resets refused', async () => {
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

    const announced = `lab: system gone's domain ${domain} is not in libvirt (qemu:///system) and lab.createMissingDomains is false: define it, or set lab.createMissingDomains to true; the system is Absent until then`;
    await expect.poll(() => emulator.output(), { timeout: 30_000, interval: 100 }).toContain(announced);
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${emulator.url}/redfish/v1/Systems/gone`)).json()) as {
              Status: { State: string; Health: string };
            }
          ).Status,
        { timeout: 30_000, interval: 200 },
      )
      .toEqual({ State: 'Absent', Health: 'Critical' });
    // Said once, however many resyncs find it missing; the system has no power state to show.
    expect(emulator.output().split(announced)).toHaveLength(2);
    const system = (await (await fetch(`${emulator.url}/redfish/v1/Systems/gone`)).json()) as Record<string, unknown>;
    expect(system['PowerState']).toBeUndefined();
    const reset = await fetch(`${emulator.url}/redfish/v1/Systems/gone/Actions/ComputerSystem.Reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ResetType: 'On' }),
    });
    expect(reset.status).toBe(409);
  });
});
