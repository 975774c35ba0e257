import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { mountSmallDisk, type SmallDisk } from '../support/fill-disk.js';
import { uniqueName, runningTestDriverDomain, type TestDriverDomain } from '../support/libvirt.js';
import { redfishClient } from '../support/redfish-client.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { removePoolByName } from '../../src/lab/remove-lab-objects.js';

/*
 * A reconciler that cannot record what it did (the data directory full) keeps the request and
 * tries again: while it fails, /healthz says "degraded" with the loop, the system's Status has
 * Health Warning and a Condition naming the loop and the cause, and one line is logged; once
 * space is freed, both clear by themselves and every acknowledged request is carried out, with
 * no restart. The lab is libvirt's test driver, with a running domain of its own, copied from the driver's "test".
 *
 * The reconciler is held in a virtual media fetch (the image server answers when told) while
 * resets are acknowledged and the disk fills; then the fetch ends and its outcome has no room.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-failing-loops-'));
let emulator: RunningEmulator | undefined;
/** A running domain of this suite's own on test:///default. */
let testDomain: TestDriverDomain | undefined;
let disk: SmallDisk | undefined;
const client = redfishClient(() => emulator!.url);
const SYSTEM = '/redfish/v1/Systems/t1';
const lines: string[] = [];
const pool = join(dir, 'pool');
const poolName = uniqueName('failing-loops');
/** Answers the image request once released. */
let release!: () => void;
const released = new Promise<void>((resolve) => (release = resolve));
const imageServer: Server = createServer((_request, response) => {
  void released.then(() => response.end(Buffer.alloc(4096, 7)));
});

interface Health {
  status: string;
  loops: { name: string; resource?: string; lastError: string; attempts: number; failingSince: string }[];
}

async function health(): Promise<{ code: number; body: Health }> {
  const response = await fetch(`${emulator!.url}/healthz`);
  return { code: response.status, body: (await response.json()) as Health };
}

beforeAll(async () => {
  testDomain = await runningTestDriverDomain();
  disk = mountSmallDisk(dir);
  await new Promise<void>((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
  const { config } = testConfig(dir, {
    dataDir: join(disk.path, 'data'),
    libvirt: { uri: 'test:///default', pool: { name: poolName, path: pool } },
    lab: { systems: [{ id: 't1', domain: testDomain.name }] },
  });
  emulator = await startEmulator(config, { resyncIntervalMs: 500, announce: (line) => lines.push(line) });
  await emulator.lab!.ready;
});

afterAll(async () => {
  release();
  imageServer.close();
  await emulator?.close();
  await testDomain?.remove();
  const libvirt = await LibvirtClient.connect('test:///default');
  await removePoolByName(libvirt, poolName).finally(() => libvirt.close());
  disk?.unmount();
  rmSync(dir, { recursive: true, force: true });
});

describe('a reconciler that cannot record its work', { timeout: 120_000 }, () => {
  it('shows on /healthz and on the system until the cause goes away, then carries out every acknowledged request', async () => {
    await expect.poll(async () => (await client.get(SYSTEM))['PowerState'], { timeout: 15_000 }).toBe('On');
    expect(await health()).toMatchObject({ code: 200, body: { status: 'ok', loops: [] } });
    const port = (imageServer.address() as { port: number }).port;
    const insert = await client.request(
      'POST',
      '/redfish/v1/Managers/t1/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia',
      { Image: `http://127.0.0.1:${port}/boot.iso` },
    );
    expect(insert.status).toBe(204);
    const acknowledged: string[] = [];
    for (const resetType of ['ForceOff', 'On', 'ForceOff']) {
      expect(
        (await client.request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: resetType })).status,
      ).toBe(204);
      acknowledged.push(resetType);
    }
    disk!.fill();
    // SQLite reuses its log file's pages after a checkpoint: writes go on until a page is needed.
    let refused = false;
    for (let i = 0; i < 2000 && !refused; i++) {
      const response = await client.request('PATCH', SYSTEM, { LocationIndicatorActive: i % 2 === 0 });
      expect([200, 507]).toContain(response.status);
      refused = response.status === 507;
    }
    expect(refused, 'a write refused for want of space').toBe(true);
    release();
    await expect
      .poll(async () => (await health()).body.loops.map((loop) => loop.name), { timeout: 15_000 })
      .toContain('system reconciler');
    const failing = (await health()).body.loops.find((loop) => loop.name === 'system reconciler');
    expect(failing, 'the system reconciler failing for want of space').toBeDefined();
    expect(failing).toMatchObject({ resource: SYSTEM, lastError: 'database or disk is full' });
    expect(lines.filter((line) => line.startsWith('system reconciler'))).toEqual([
      expect.stringMatching(/^system reconciler: failing on \/redfish\/v1\/Systems\/t1: database or disk is full/),
    ]);
    const degraded = await health();
    // Still serving and recording what it can: degraded, not down.
    expect(degraded.code).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    const status = (await client.get(SYSTEM))['Status'];
    expect(status.Health).toBe('Warning');
    expect(status.Conditions).toContainEqual(
      expect.objectContaining({
        MessageId: 'ResourceEvent.1.4.ResourceErrorsDetected',
        Message: expect.stringContaining('system reconciler: database or disk is full'),
        Severity: 'Warning',
      }),
    );
    // Reads of other resources go on, untouched.
    expect((await client.get('/redfish/v1/Managers/t1'))['Status']?.Health ?? 'OK').toBe('OK');

    disk!.free();
    await expect.poll(async () => (await health()).body.status, { timeout: 60_000, interval: 500 }).toBe('ok');
    const recovered = (await client.get(SYSTEM))['Status'];
    expect(recovered.Conditions ?? []).not.toContainEqual(
      expect.objectContaining({ MessageId: 'ResourceEvent.1.4.ResourceErrorsDetected' }),
    );
    expect(recovered.Health).toBe('OK');
    // One line as it started failing and one as it recovered, not one per retry.
    expect(lines.filter((line) => line.startsWith('system reconciler: failing'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('system reconciler: recovered'))).toHaveLength(1);

    // Every acknowledged reset has its outcome, and the machine is where the last one took it.
    const events = emulator!.store.readAfter(0, 1_000_000);
    expect(
      events.filter((e) => e.type === 'VirtualMediaInserted' || e.type === 'VirtualMediaInsertFailed').length,
    ).toBeGreaterThan(0);
    const requested = events.filter((e) => e.type === 'ResetRequested').map((e) => e.position);
    const outcomes = new Set(
      events.filter((e) => e.type === 'ResetApplied' || e.type === 'ResetFailed').map((e) => e.meta.causationId),
    );
    expect(requested.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(requested.filter((position) => !outcomes.has(position))).toEqual([]);
    const last = acknowledged.at(-1);
    await expect
      .poll(async () => (await client.get(SYSTEM))['PowerState'], { timeout: 15_000 })
      .toBe(last === 'ForceOff' ? 'Off' : 'On');
  });
});
