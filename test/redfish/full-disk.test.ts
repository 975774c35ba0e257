import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { runningTestDriverDomain, type TestDriverDomain } from '../support/libvirt.js';
import { mountSmallDisk, type SmallDisk } from '../support/fill-disk.js';
import { redfishClient } from '../support/redfish-client.js';

/*
 * The data directory on a small filesystem of its own that fills up: a mutation that cannot be
 * written is 507 InsufficientStorage and records nothing; once space is freed the service takes
 * requests again and the lab carries them out, without a restart. The lab is libvirt's test
 * driver, with a running domain of its own, copied from the driver's "test".
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-full-disk-'));
let emulator: RunningEmulator | undefined;
/** A running domain of this suite's own on test:///default. */
let testDomain: TestDriverDomain | undefined;
let disk: SmallDisk | undefined;
const client = redfishClient(() => emulator!.url);
const SYSTEM = '/redfish/v1/Systems/t1';

beforeAll(async () => {
  testDomain = await runningTestDriverDomain();
  disk = mountSmallDisk(dir);
  const { config } = testConfig(dir, {
    dataDir: join(disk.path, 'data'),
    libvirt: { uri: 'test:///default' },
    lab: { systems: [{ id: 't1', domain: testDomain.name }] },
  });
  emulator = await startEmulator(config, { resyncIntervalMs: 500 });
  await emulator.lab!.ready;
});

afterAll(async () => {
  await emulator?.close();
  await testDomain?.remove();
  disk?.unmount();
  rmSync(dir, { recursive: true, force: true });
});

describe('a data directory that fills up', { timeout: 60_000 }, () => {
  it('answers 507 and records nothing while full, and takes requests again once space is freed', async () => {
    await expect.poll(async () => (await client.get(SYSTEM))['PowerState'], { timeout: 15_000 }).toBe('On');
    disk!.fill();
    // SQLite reuses its log file's pages after a checkpoint: writes go on until a page is needed.
    let refused: Response | undefined;
    for (let i = 0; i < 2000 && !refused; i++) {
      const before = emulator!.store.lastPosition();
      const response = await client.request('PATCH', SYSTEM, { LocationIndicatorActive: i % 2 === 0 });
      if (response.status === 507) {
        refused = response;
        expect(emulator!.store.lastPosition()).toBe(before);
      } else {
        expect(response.status).toBe(200);
      }
    }
    expect(refused, 'a write refused for want of space').toBeDefined();
    const body = (await refused!.json()) as { error: { '@Message.ExtendedInfo': { MessageId: string }[] } };
    expect(body.error['@Message.ExtendedInfo'][0]!.MessageId).toMatch(/^Base\.1\.\d+\.InsufficientStorage$/);
    // Reads go on.
    expect((await client.request('GET', SYSTEM)).status).toBe(200);

    disk!.free();
    expect((await client.request('PATCH', SYSTEM, { LocationIndicatorActive: true })).status).toBe(200);
    expect(
      (await client.request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' })).status,
    ).toBe(204);
    await expect.poll(async () => (await client.get(SYSTEM))['PowerState'], { timeout: 15_000 }).toBe('Off');
  });
});
