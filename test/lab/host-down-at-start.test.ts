import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { removeDomainByName } from '../../src/lab/remove-lab-objects.js';
import { testConfig } from '../support/config.js';
import { freePort } from '../support/free-port.js';
import { makeTestPki, secondLibvirtd, type SecondLibvirtd } from '../support/lab-host.js';
import { redfishClient } from '../support/redfish-client.js';
import { uniqueName } from '../support/libvirt.js';

/*
 * A lab across three hosts, two of them down when the emulator starts: nothing listens on one's
 * TLS port, and the other accepts connections and never says a word (as a host behind a
 * firewall that drops packets holds a connection). The system on the host that answers is
 * defined, observed and carried out without waiting for them past the remote connection's time
 * limit (15 s); the others are shown UnavailableOffline, and the first is defined and served once
 * a libvirtd starts on its port.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-host-down-'));
const names = { near: uniqueName('near'), far: uniqueName('far'), silent: uniqueName('silent') };
/** Accepts connections and never answers. */
let silent: Server | undefined;
const held: Socket[] = [];
let local: LibvirtClient | undefined;
let daemon: SecondLibvirtd | undefined;
let emulator: RunningEmulator | undefined;
const { request, get } = redfishClient(() => emulator!.url);
const lines: string[] = [];

beforeAll(async () => {
  const pki = makeTestPki(join(dir, 'pki'));
  const tlsPort = await freePort();
  mkdirSync(join(dir, 'daemon'));
  // Not started yet: the host is down at the emulator's start.
  daemon = secondLibvirtd(join(dir, 'daemon'), tlsPort, pki);
  silent = createServer((socket) => held.push(socket));
  const silentPort = await freePort();
  await new Promise<void>((resolve) => silent!.listen(silentPort, '127.0.0.1', resolve));
  local = await LibvirtClient.connect('test:///default');
  const { config } = testConfig(dir, {
    libvirt: { uri: 'test:///default' },
    lab: {
      createMissingDomains: true,
      systems: [
        { id: 'near', domain: names.near },
        {
          id: 'far',
          domain: names.far,
          libvirtUri: `test+tls://127.0.0.1:${tlsPort}/default?pkipath=${pki.clientPki}`,
        },
        {
          id: 'silent',
          domain: names.silent,
          libvirtUri: `test+tls://127.0.0.1:${silentPort}/default?pkipath=${pki.clientPki}`,
        },
      ],
    },
  });
  emulator = await startEmulator(config, { resyncIntervalMs: 1000, announce: (line) => lines.push(line) });
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  if (local) await removeDomainByName(local, names.near).catch(() => undefined);
  await local?.close();
  await daemon?.stop();
  for (const socket of held) socket.destroy();
  silent?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Long enough for the silent host's connection to give up (twice: once defining, once observing). */
const poll = { timeout: 45_000, interval: 100 };

describe('a lab whose other hosts are down at start', { timeout: 120_000 }, () => {
  it('defines, observes and powers the system on the host that answers at once', async () => {
    await expect
      .poll(async () => (await get('/redfish/v1/Systems/near'))['Status'], poll)
      .toEqual({
        State: 'Enabled',
        Health: 'OK',
      });
    expect(await local!.domainLookupByName(names.near)).toBeDefined();
    expect(
      (await request('POST', '/redfish/v1/Systems/near/Actions/ComputerSystem.Reset', { ResetType: 'On' })).status,
    ).toBe(204);
    await expect.poll(async () => (await get('/redfish/v1/Systems/near'))['PowerState'], poll).toBe('On');
    for (const id of ['far', 'silent'])
      await expect
        .poll(async () => (await get(`/redfish/v1/Systems/${id}`))['Status'], poll)
        .toMatchObject({ State: 'UnavailableOffline', Health: 'Critical' });
    expect((await get('/redfish/v1/Systems/silent'))['Status'].Conditions[0].Message).toMatch(/no answer within 15 s/);
    expect(lines.filter((line) => line.includes("system far's host") && line.includes('does not answer'))).toHaveLength(
      1,
    );
    expect(lines.filter((line) => line.startsWith('lab start: failing'))).toEqual([]);
  });

  it('defines and serves the other system once its host answers', async () => {
    await daemon!.start();
    await expect
      .poll(async () => (await get('/redfish/v1/Systems/far'))['Status'], poll)
      .toEqual({
        State: 'Enabled',
        Health: 'OK',
      });
    expect(
      (await request('POST', '/redfish/v1/Systems/far/Actions/ComputerSystem.Reset', { ResetType: 'On' })).status,
    ).toBe(204);
    await expect.poll(async () => (await get('/redfish/v1/Systems/far'))['PowerState'], poll).toBe('On');
    await expect.poll(() => lines, poll).toContain('lab: defined the domains of far');
  });
});
