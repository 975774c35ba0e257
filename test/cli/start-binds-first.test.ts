import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';

/*
 * Start binds its port before it writes to the store: the first append of a start (the
 * service's identity) happens with the port already the emulator's, and a client that connects
 * while the store is being prepared waits and is answered once the service is up.
 */

const seenAtFirstAppend: { portListening?: boolean; earlyAnswer?: Promise<number> } = {};
let port = 0;

vi.mock('../../src/service-identity.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/service-identity.js')>();
  return {
    ...original,
    ensureServiceCreated: (...args: Parameters<typeof original.ensureServiceCreated>) => {
      // Synchronously, as the append is: does anything listen on the port right now?
      const ss = spawnSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' });
      seenAtFirstAppend.portListening = ss.stdout.trim().length > 0;
      seenAtFirstAppend.earlyAnswer = fetch(`http://127.0.0.1:${port}/redfish/v1`).then((response) => response.status);
      original.ensureServiceCreated(...args);
    },
  };
});

const tempDir = useTempDirs();
let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port: free } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return free;
}

describe('start', () => {
  it('holds its port before the first append, and answers a client that connected meanwhile', async () => {
    port = await freePort();
    const { config } = testConfig(tempDir(), { listen: { address: '127.0.0.1', port } });
    emulator = await startEmulator(config);
    expect(seenAtFirstAppend.portListening).toBe(true);
    expect(await seenAtFirstAppend.earlyAnswer).toBe(200);
    expect(emulator.url).toBe(`http://127.0.0.1:${port}`);
  });
});
