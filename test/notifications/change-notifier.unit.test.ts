import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { executeCommand } from '../../src/eventstore/execute-command.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { projectors, PROJECTION_VERSION } from '../../src/projections/catalog.js';
import { systemDecider, type SystemCommand } from '../../src/domain/system/system-decider.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import type { NotificationsConfig } from '../../src/config/config.js';
import { LoopHealth } from '../../src/health/loop-health.js';
import { CHANGE_NOTIFIER, ChangeNotifier, claimNotifierCheckpoint } from '../../src/notifications/change-notifier.js';
import { NOTIFICATIONS_STREAM } from '../../src/notifications/notification-events.js';
import type { SushySystem } from '../../src/notifications/sushy-system.js';
import { useTempDirs } from '../support/temp-dir.js';

/*
 * The notifier on an event store of its own, against a receiver on a loopback socket: which
 * systems it tells of, what a given-up change leaves, and where a first start begins.
 */

const tempDir = useTempDirs();
const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

function openLab(): EventStore {
  const { store } = openEventStore({
    file: join(tempDir(), 'events.db'),
    projectors,
    projectionVersion: PROJECTION_VERSION,
  });
  closing.push(async () => {
    store.db.close();
  });
  return store;
}

function system(store: EventStore, id: string, command: SystemCommand): void {
  const outcome = executeCommand(store, systemStream(id), systemDecider, command, { actor: 'test' });
  if (!outcome.ok) throw new Error(`${command.type}: ${outcome.problem.messageId}`);
}

/** A system registered on `uri`, its domain seen (so it has a UUID to send). */
function addSystem(store: EventStore, id: string, uri: string): void {
  system(store, id, { type: 'RegisterSystem', systemId: id, name: id, libvirtUri: uri, domainName: id });
  system(store, id, {
    type: 'ObserveDomain',
    uuid: `uuid-${id}`,
    vcpus: 1,
    memoryBytes: 2 ** 30,
    firmware: 'BIOS',
    macAddresses: ['52:54:00:00:00:01'],
  });
}

const pxe = { type: 'PatchSystem', target: 'Pxe', enabled: 'Continuous' } as const;

/** A receiver answering `status` to everything, keeping what it got. */
async function receiver(status = 204): Promise<{ url: string; got: SushySystem[] }> {
  const got: SushySystem[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      got.push(JSON.parse(body) as SushySystem);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, got };
}

function notifier(store: EventStore, config: NotificationsConfig): ChangeNotifier {
  claimNotifierCheckpoint(store, true);
  const started = new ChangeNotifier(store, config, { verifyCertificate: false }, new LoopHealth(() => undefined));
  started.start();
  closing.push(() => started.close());
  return started;
}

const until = async (check: () => boolean) => {
  await expect.poll(check, { timeout: 5000, interval: 10 }).toBe(true);
};
const outcomes = (store: EventStore) => store.readStream(NOTIFICATIONS_STREAM);

describe('the change notifier', () => {
  it('tells of the systems lab.notifications.systems names: simulated ones, or a list of ids', async () => {
    for (const [systems, told] of [
      ['simulated', ['sim-1']],
      [['vm-1'], ['vm-1']],
      ['all', ['vm-1', 'sim-1']],
    ] as const) {
      const store = openLab();
      addSystem(store, 'vm-1', 'qemu:///system');
      addSystem(store, 'sim-1', 'simulated:///');
      const { url, got } = await receiver();
      notifier(store, { url, systems: typeof systems === 'string' ? systems : [...systems] });
      system(store, 'vm-1', pxe);
      system(store, 'sim-1', pxe);
      await until(() => outcomes(store).length === told.length);
      expect(got.map((s) => s.name)).toEqual(told);
    }
  });

  it('sends a system once its domain is known, and not for a change that does not show', async () => {
    const store = openLab();
    const { url, got } = await receiver();
    notifier(store, { url });
    system(store, 'n1', { type: 'RegisterSystem', systemId: 'n1', name: 'n1', libvirtUri: 'x:///', domainName: 'n1' });
    system(store, 'n1', { type: 'PatchSystem', assetTag: 'rack 4' });
    addSystem(store, 'n1', 'x:///');
    system(store, 'n1', { type: 'PatchSystem', assetTag: 'rack 5' });
    system(store, 'n1', pxe);
    await until(() => got.length === 2);
    expect(got.map((s) => s.boot_device)).toEqual(['Hdd', 'Pxe']);
  });

  it('gives a change up after its attempts and sends the next one', async () => {
    const store = openLab();
    addSystem(store, 'n1', 'x:///');
    const failing = await receiver(500);
    notifier(store, { url: failing.url, attempts: 2, retryIntervalSeconds: 0.01 });
    system(store, 'n1', pxe);
    system(store, 'n1', { type: 'PatchSystem', target: 'Cd' });
    await until(() => outcomes(store).length === 4);
    expect(outcomes(store).map((e) => [e.type, (e.data as { attempt: number }).attempt])).toEqual([
      ['NotificationAttemptFailed', 1],
      ['NotificationAbandoned', 2],
      ['NotificationAttemptFailed', 1],
      ['NotificationAbandoned', 2],
    ]);
    expect(failing.got.map((s) => s.boot_device)).toEqual(['Pxe', 'Pxe', 'Cd', 'Cd']);
  });

  it('starts at the end of the log the first time, and forgets its place when turned off', () => {
    const store = openLab();
    addSystem(store, 'n1', 'x:///');
    claimNotifierCheckpoint(store, true);
    expect(store.checkpoint(CHANGE_NOTIFIER)).toBe(store.lastPosition());
    system(store, 'n1', pxe);
    claimNotifierCheckpoint(store, true);
    expect(store.checkpoint(CHANGE_NOTIFIER)).toBeLessThan(store.lastPosition());
    claimNotifierCheckpoint(store, false);
    expect(store.checkpoint(CHANGE_NOTIFIER)).toBeUndefined();
  });
});
