import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { runningTestDriverDomain, type TestDriverDomain } from '../support/libvirt.js';
import { redfishClient } from '../support/redfish-client.js';

/*
 * libvirt unreachable when the emulator starts: the lab's start fails and is tried again; while
 * it fails /healthz is degraded with it and the Manager (the service's own trouble) shows it, and
 * requests are still acknowledged. Once libvirt answers (here: a relay to the real daemon's socket
 * starts listening where the config points) both clear by themselves and the reset acknowledged
 * meanwhile is carried out, with no restart.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-unreachable-libvirt-'));
const socketPath = join(dir, 'libvirt-sock');
let emulator: RunningEmulator | undefined;
/** A running domain of this suite's own on test:///default. */
let testDomain: TestDriverDomain | undefined;
let relay: Server | undefined;
const relayed: Socket[] = [];
const client = redfishClient(() => emulator!.url);
const SYSTEM = '/redfish/v1/Systems/t1';
const MANAGER = '/redfish/v1/Managers/t1';
const lines: string[] = [];

async function health(): Promise<{ status: string; loops: { name: string; lastError: string }[] }> {
  return (await (await fetch(`${emulator!.url}/healthz`)).json()) as {
    status: string;
    loops: { name: string; lastError: string }[];
  };
}

beforeAll(async () => {
  testDomain = await runningTestDriverDomain();
  const { config } = testConfig(dir, {
    libvirt: { uri: `test:///default?socket=${socketPath}` },
    lab: { systems: [{ id: 't1', domain: testDomain.name }] },
  });
  emulator = await startEmulator(config, { resyncIntervalMs: 500, announce: (line) => lines.push(line) });
});

afterAll(async () => {
  await emulator?.close();
  await testDomain?.remove();
  for (const socket of relayed) socket.destroy();
  relay?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('libvirt unreachable', { timeout: 60_000 }, () => {
  it('shows on /healthz and on the Manager until libvirt answers, then carries out what was acknowledged meanwhile', async () => {
    await expect
      .poll(async () => (await health()).loops.map((loop) => loop.name), { timeout: 10_000 })
      .toContain('lab start');
    expect((await health()).status).toBe('degraded');
    expect((await health()).loops.find((loop) => loop.name === 'lab start')!.lastError).toContain(socketPath);
    const manager = (await client.get(MANAGER))['Status'];
    expect(manager.Health).toBe('Warning');
    expect(manager.Conditions).toContainEqual(
      expect.objectContaining({
        MessageId: 'ResourceEvent.1.4.ResourceErrorsDetected',
        Message: expect.stringContaining('lab start'),
      }),
    );
    expect(
      (await client.request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' })).status,
    ).toBe(204);

    // libvirt comes back: a relay to the real daemon listens where the config points.
    relay = createServer((socket) => {
      const daemon = connect('/run/libvirt/libvirt-sock');
      relayed.push(socket, daemon);
      socket.pipe(daemon).pipe(socket);
      socket.on('error', () => daemon.destroy());
      daemon.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => relay!.listen(socketPath, resolve));
    await emulator!.lab!.ready;
    await expect.poll(async () => (await health()).status, { timeout: 15_000 }).toBe('ok');
    expect((await client.get(MANAGER))['Status']?.Health ?? 'OK').toBe('OK');
    await expect.poll(async () => (await client.get(SYSTEM))['PowerState'], { timeout: 15_000 }).toBe('Off');
    expect(lines.filter((line) => line.startsWith('lab start: failing'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('lab start: recovered'))).toHaveLength(1);
  });
});
