import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { NOTIFICATIONS_STREAM, type NotificationEvent } from '../../src/notifications/notification-events.js';
import type { SushySystem } from '../../src/notifications/sushy-system.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { removeDomainByName } from '../../src/lab/remove-lab-objects.js';
import { uniqueName } from '../support/libvirt.js';
import { makeTestCertificate } from '../support/test-certificate.js';

/*
 * Change notifications end to end: an emulator on a lab of libvirt's test driver PUTs its system,
 * in sushy-tools' shape, to an HTTPS receiver in this test (its certificate trusted by the
 * notifications' caFile), over real sockets, as a fake IPA receives it.
 */

const SYSTEM = '/redfish/v1/Systems/s1';
const dir = mkdtempSync(join(tmpdir(), 'rfe-test-notify-'));
const domainName = uniqueName('domain');
let libvirt: LibvirtClient;
let emulator: RunningEmulator | undefined;
let config: EmulatorConfig;
const { request, get } = redfishClient(() => emulator!.url);

/** What the receiver got: each PUT's method, path, content type and body. */
interface Received {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: SushySystem;
  /** What it answered. */
  readonly status: number;
}
const received: Received[] = [];
/** Answers 503 to this many requests before answering 204 again. */
let failNext = 0;
let receiver: Server;

beforeAll(async () => {
  const { certFile, keyFile } = makeTestCertificate(dir);
  receiver = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const status = failNext > 0 ? 503 : 204;
      if (failNext > 0) failNext -= 1;
      received.push({
        method: req.method!,
        path: req.url!,
        contentType: req.headers['content-type'],
        body: JSON.parse(body) as SushySystem,
        status,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  // Opened first and kept: test:///default keeps its domains across the emulator's restarts while a connection is open.
  libvirt = await LibvirtClient.connect('test:///default');
  config = testConfig(dir, {
    libvirt: { uri: 'test:///default' },
    lab: {
      createMissingDomains: true,
      systems: [{ id: 's1', name: 'node one', domain: domainName }],
      notifications: { url: `https://127.0.0.1:${port}/notify`, caFile: certFile, retryIntervalSeconds: 0.2 },
    },
  }).config;
  emulator = await startEmulator(config, { resyncIntervalMs: 60_000 });
  await emulator.lab!.ready;
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  if (libvirt) await removeDomainByName(libvirt, domainName).catch(() => undefined);
  await libvirt?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** The notification events recorded so far, oldest first. */
const outcomes = () =>
  emulator!.store.readStream(NOTIFICATIONS_STREAM) as unknown as (NotificationEvent & { subject: string })[];

const poll = { timeout: 15_000, interval: 50 };

describe('change notifications (lab.notifications)', { timeout: 60_000 }, () => {
  it('PUTs the system in sushy-tools shape after a power on, as it is asked and once it is on', async () => {
    const system = await get(SYSTEM);
    const nics = await get(`${SYSTEM}/EthernetInterfaces`);
    const macs = await Promise.all(
      (nics['Members'] as { '@odata.id': string }[]).map(async (m) => (await get(m['@odata.id']))['MACAddress']),
    );
    expect(system['PowerState']).toBe('Off');
    const before = received.length;
    expect((await request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' })).status).toBe(204);
    // The request first (a fake IPA boots its agent on it), then the machine on with nothing pending.
    await expect
      .poll(() => received.slice(before).some((r) => r.body.pending_power?.power_state === 'On'), poll)
      .toBe(true);
    await expect
      .poll(
        () => received.slice(before).some((r) => r.body.power_state === 'On' && r.body.pending_power === null),
        poll,
      )
      .toBe(true);
    const asked = received.slice(before).find((r) => r.body.pending_power?.power_state === 'On')!;
    expect(asked.method).toBe('PUT');
    expect(asked.path).toBe('/notify');
    expect(asked.contentType).toBe('application/json');
    expect(asked.body).toEqual({
      uuid: system['UUID'],
      name: 'node one',
      power_state: 'Off',
      external_notifier: true,
      nics: macs.map((mac) => ({ mac: String(mac).toLowerCase(), ip: null })),
      boot_device: 'Hdd',
      boot_mode: 'Legacy',
      secure_boot: false,
      boot_image: {},
      pending_power: { power_state: 'On', apply_time: expect.any(Number) },
    });
    expect(Math.abs(asked.body.pending_power!.apply_time - Date.now() / 1000)).toBeLessThan(60);
  });

  it('PUTs it after a boot override, with the override as its boot device', async () => {
    const before = received.length;
    const patch = { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Continuous' } };
    expect((await request('PATCH', SYSTEM, patch)).status).toBe(200);
    await expect.poll(() => received.slice(before).map((r) => r.body.boot_device), poll).toEqual(['Pxe']);
    expect(received.at(-1)!.body).toMatchObject({ power_state: 'On', pending_power: null, boot_device: 'Pxe' });
    // Delivered, recorded under the system with the request that changed it.
    const delivered = outcomes().at(-1)!;
    expect(delivered).toMatchObject({
      type: 'NotificationDelivered',
      subject: SYSTEM,
      data: { attempt: 1, status: 204, system: { boot_device: 'Pxe' } },
    });
  });

  it('tries again with backoff when the receiver fails, and history has each attempt', async () => {
    const before = received.length;
    failNext = 2;
    const started = Date.now();
    const patch = { Boot: { BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Continuous' } };
    expect((await request('PATCH', SYSTEM, patch)).status).toBe(200);
    await expect.poll(() => received.length - before, poll).toBe(3);
    // 0.2 s, then 0.4 s between the attempts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(received.slice(before).map((r) => r.body.boot_device)).toEqual(['Cd', 'Cd', 'Cd']);
    await expect.poll(() => outcomes().at(-1)?.type, poll).toBe('NotificationDelivered');
    const change = outcomes().at(-1)!.data.changePosition;
    const attempts = outcomes().filter((e) => e.data.changePosition === change);
    expect(attempts.map((e) => [e.type, e.data.attempt, e.subject])).toEqual([
      ['NotificationAttemptFailed', 1, SYSTEM],
      ['NotificationAttemptFailed', 2, SYSTEM],
      ['NotificationDelivered', 3, SYSTEM],
    ]);
    expect(attempts.map((e) => (e.type === 'NotificationAttemptFailed' ? e.data.retryInSeconds : null))).toEqual([
      0.2,
      0.4,
      null,
    ]);
    expect(attempts[0]).toMatchObject({ data: { message: expect.stringContaining('answered 503') } });
    // The History API lists them with the system's own events.
    const history = await get(`/emulator/v1/History?resource=${encodeURIComponent(SYSTEM)}&limit=200`);
    const types = (history['Events'] as { type: string; data: { changePosition?: number } }[])
      .filter((e) => e.data.changePosition === change)
      .map((e) => e.type);
    expect(types).toEqual(['NotificationAttemptFailed', 'NotificationAttemptFailed', 'NotificationDelivered']);
  });

  it('neither loses nor repeats a notification across a restart', async () => {
    // A change whose first attempts fail, the emulator stopped between two of them.
    failNext = 1000;
    const before = received.length;
    const patch = { Boot: { BootSourceOverrideTarget: 'Hdd', BootSourceOverrideEnabled: 'Continuous' } };
    expect((await request('PATCH', SYSTEM, patch)).status).toBe(200);
    await expect.poll(() => received.length - before, poll).toBeGreaterThanOrEqual(1);
    await emulator!.close();
    emulator = undefined;
    failNext = 0;
    emulator = await startEmulator(config, { resyncIntervalMs: 60_000 });
    await emulator.lab!.ready;
    await expect.poll(() => outcomes().at(-1)?.type, poll).toBe('NotificationDelivered');
    const change = outcomes().at(-1)!.data.changePosition;
    // Delivered once, its attempts numbered on from before the restart.
    const attempts = outcomes().filter((e) => e.data.changePosition === change);
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts.at(-1)!.data.attempt).toBe(attempts.length);
    expect(attempts.filter((e) => e.type === 'NotificationDelivered')).toHaveLength(1);
    // Nothing delivered before the restart is sent again: every change is delivered once, and each PUT the
    // receiver took is one delivery.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const deliveries = outcomes().filter((e) => e.type === 'NotificationDelivered');
    expect(new Set(deliveries.map((e) => e.data.changePosition)).size).toBe(deliveries.length);
    expect(received.filter((r) => r.status === 204)).toHaveLength(deliveries.length);
    expect(received.at(-1)!.body.boot_device).toBe('Hdd');
    // And the next change is sent, once.
    const after = received.length;
    expect((await request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' })).status).toBe(
      204,
    );
    await expect.poll(() => received.slice(after).some((r) => r.body.power_state === 'Off'), poll).toBe(true);
  });
});
