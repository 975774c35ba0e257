import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DomainXmlFlag } from '../../src/libvirt/constants.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { buildXml } from '../../src/xml.js';
import { testConfig } from '../support/config.js';
import { startEmulatorProcess, stopEmulatorProcess, type EmulatorProcess } from '../support/emulator-process.js';
import { freePort } from '../support/free-port.js';
import { makeTestPki, secondLibvirtd, startSshd, type SecondLibvirtd, type TestSshd } from '../support/lab-host.js';
import { quietly, removeDomain, uniqueName } from '../support/libvirt.js';

/*
 * One lab across two libvirt hosts: a system on the local daemon (test:///default), and two on
 * a second, real libvirtd this file starts, one reached over TLS (a test CA's certificates) and
 * one over a real sshd (key authentication, a known_hosts of its own, netcat to the daemon's
 * socket). The test driver keeps test:///default's state while a connection holds it, so a
 * client of the test's own on each daemon defines the domains and reads what the emulator did.
 */

const domainXml = (name: string) =>
  buildXml({
    domain: {
      $: { type: 'test' },
      name,
      uuid: randomUUID(),
      memory: { $: { unit: 'MiB' }, _: '64' },
      vcpu: '1',
      os: { type: 'hvm', boot: { $: { dev: 'hd' } } },
    },
  });

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-multi-host-'));
const names = { local: uniqueName('local'), tls: uniqueName('tls'), ssh: uniqueName('ssh') };
let daemon: SecondLibvirtd | undefined;
let sshd: TestSshd | undefined;
let emulator: EmulatorProcess | undefined;
let local: LibvirtClient | undefined;
let remote: LibvirtClient | undefined;

/** The test's own connection to the second daemon, holding its test:///default with the two remote domains. */
async function holdRemoteDomains(): Promise<LibvirtClient> {
  const client = await LibvirtClient.connect(`test:///default?socket=${daemon!.socket}`, { reconnect: false });
  for (const name of [names.tls, names.ssh]) await client.domainDefineXml(domainXml(name));
  return client;
}

beforeAll(async () => {
  const pki = makeTestPki(join(dir, 'pki'));
  const [tlsPort, sshPort] = [await freePort(), await freePort()];
  mkdirSync(join(dir, 'daemon'));
  daemon = secondLibvirtd(join(dir, 'daemon'), tlsPort, pki);
  await daemon.start();
  sshd = await startSshd(join(dir, 'ssh'), sshPort);
  remote = await holdRemoteDomains();
  local = await LibvirtClient.connect('test:///default');
  await local.domainDefineXml(domainXml(names.local));

  const tlsUri = `test+tls://127.0.0.1:${tlsPort}/default?pkipath=${pki.clientPki}`;
  const sshUri = `test+ssh://root@127.0.0.1:${sshPort}/default?socket=${daemon.socket}&keyfile=${sshd.keyFile}&known_hosts=${sshd.knownHosts}`;
  const { file } = testConfig(dir, {
    libvirt: { uri: 'test:///default' },
    lab: {
      createMissingDomains: false,
      systems: [
        { id: 'local', domain: names.local },
        { id: 'over-tls', domain: names.tls, libvirtUri: tlsUri },
        { id: 'over-ssh', domain: names.ssh, libvirtUri: sshUri },
      ],
    },
  });
  emulator = await startEmulatorProcess(file);
}, 60_000);

afterAll(async () => {
  if (emulator) await stopEmulatorProcess(emulator);
  if (local) {
    await quietly(async () => removeDomain(local!, await local!.domainLookupByName(names.local)));
    await local.close();
  }
  await remote?.close();
  await sshd?.stop();
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const SYSTEMS = ['local', 'over-tls', 'over-ssh'] as const;
const domainOf = { local: () => names.local, 'over-tls': () => names.tls, 'over-ssh': () => names.ssh };
const clientOf = (id: (typeof SYSTEMS)[number]) => (id === 'local' ? local! : remote!);

async function get(path: string): Promise<Record<string, any>> {
  const response = await fetch(`${emulator!.url}${path}`);
  return (await response.json()) as Record<string, any>;
}

function send(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${emulator!.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const reset = (id: string, ResetType: string) =>
  send('POST', `/redfish/v1/Systems/${id}/Actions/ComputerSystem.Reset`, { ResetType });
const system = (id: string) => get(`/redfish/v1/Systems/${id}`);
const domainState = async (id: (typeof SYSTEMS)[number]) =>
  (await clientOf(id).domainGetState(await clientOf(id).domainLookupByName(domainOf[id]()))).stateName;
const bootOrder = async (id: (typeof SYSTEMS)[number]) => {
  const client = clientOf(id);
  return readDomainXml(
    await client.domainGetXml(await client.domainLookupByName(domainOf[id]()), DomainXmlFlag.Inactive),
  ).bootDevices;
};

describe('a lab across a local libvirtd and a second one reached over TLS and ssh', { timeout: 60_000 }, () => {
  it('presents every system, read from its own host', async () => {
    for (const id of SYSTEMS) {
      await expect.poll(async () => (await system(id))['Status']?.State, { timeout: 20_000 }).toBe('Enabled');
      expect(await system(id)).toMatchObject({ PowerState: 'Off' });
    }
  });

  it('powers each on and off, and sets a one-time boot override that its next boot spends', async () => {
    for (const id of SYSTEMS) {
      const etag = (await fetch(`${emulator!.url}/redfish/v1/Systems/${id}`)).headers.get('etag')!;
      const patched = await send(
        'PATCH',
        `/redfish/v1/Systems/${id}`,
        { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } },
        { 'if-match': etag },
      );
      expect(patched.status, id).toBe(200);
      await expect.poll(() => bootOrder(id), { timeout: 10_000 }).toEqual(['network', 'hd']);
      expect((await reset(id, 'On')).status, id).toBe(204);
      await expect.poll(() => domainState(id), { timeout: 10_000 }).toBe('Running');
      await expect.poll(async () => (await system(id))['PowerState'], { timeout: 10_000 }).toBe('On');
      await expect
        .poll(async () => (await system(id))['Boot']['BootSourceOverrideEnabled'], { timeout: 10_000 })
        .toBe('Disabled');
      await expect.poll(() => bootOrder(id), { timeout: 10_000 }).toEqual(['hd', 'network']);
      expect((await reset(id, 'ForceOff')).status, id).toBe(204);
      await expect.poll(() => domainState(id), { timeout: 10_000 }).toBe('Shutoff');
      await expect.poll(async () => (await system(id))['PowerState'], { timeout: 10_000 }).toBe('Off');
    }
  });

  it('keeps the local system working while the second host is gone, and converges when it is back', async () => {
    await remote!.close();
    remote = undefined;
    await daemon!.stop('SIGKILL');

    for (const id of ['over-tls', 'over-ssh']) {
      await expect
        .poll(async () => (await system(id))['Status']?.State, { timeout: 10_000 })
        .toBe('UnavailableOffline');
      const { Status } = await system(id);
      expect(Status.Health, id).toBe('Critical');
      expect(Status.Conditions[0].Message, id).toMatch(/does not answer/);
      // What needs the host is refused at once, saying when to try again; the log is left as it was.
      const refused = await reset(id, 'On');
      expect(refused.status, id).toBe(503);
      expect(((await refused.json()) as any).error['@Message.ExtendedInfo'][0]).toMatchObject({
        MessageId: expect.stringMatching(/^Base\.[\d.]+\.ServiceTemporarilyUnavailable$/),
        MessageArgs: ['5'],
      });
      expect((await system(id))['PowerState'], id).toBe('Off');
    }
    expect((await system('local'))['Status']).toEqual({ State: 'Enabled', Health: 'OK' });
    expect((await reset('local', 'On')).status).toBe(204);
    await expect.poll(() => domainState('local'), { timeout: 10_000 }).toBe('Running');
    await expect.poll(async () => (await system('local'))['PowerState'], { timeout: 10_000 }).toBe('On');

    // The host comes back with its machines defined and shut off, as after a reboot.
    await daemon!.start();
    remote = await holdRemoteDomains();
    for (const id of ['over-tls', 'over-ssh'] as const) {
      await expect
        .poll(async () => (await system(id))['Status'], { timeout: 20_000 })
        .toEqual({ State: 'Enabled', Health: 'OK' });
      expect((await reset(id, 'On')).status, id).toBe(204);
      await expect.poll(() => domainState(id), { timeout: 15_000 }).toBe('Running');
      await expect.poll(async () => (await system(id))['PowerState'], { timeout: 10_000 }).toBe('On');
    }
  });
});
