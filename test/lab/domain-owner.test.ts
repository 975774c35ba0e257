import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DomainXmlFlag } from '../../src/libvirt/constants.js';
import { demoDomainXml } from '../../src/libvirt/xml/demo-domain-xml.js';
import { readOwner } from '../../src/libvirt/xml/owner-metadata.js';
import { serviceUuid } from '../../src/service-identity.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { removeLabByName, uniqueName } from '../support/libvirt.js';

/*
 * One owning store per domain: the store that first uses a domain writes itself into the
 * domain's libvirt metadata; a second store (another data directory on the same lab) leaves it
 * alone, shows why on the system's Status and says so once at start, until it is started with
 * lab.takeOver, which rewrites the owner and records it.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-domain-owner-'));
const domainName = uniqueName('owned');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/o1';
let libvirt: LibvirtClient;
const running: RunningEmulator[] = [];

async function emulator(dataDir: string, said: string[], lab: Record<string, unknown> = {}): Promise<RunningEmulator> {
  mkdirSync(dataDir, { recursive: true });
  const { config } = testConfig(dataDir, {
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: join(dir, 'pool') } },
    lab: { createMissingDomains: false, systems: [{ id: 'o1', domain: domainName, vcpus: 1, memoryMiB: 64 }], ...lab },
  });
  const started = await startEmulator(config, { resyncIntervalMs: 300, announce: (line) => said.push(line) });
  running.push(started);
  await started.lab!.ready;
  return started;
}

async function stop(emulator: RunningEmulator): Promise<void> {
  running.splice(running.indexOf(emulator), 1);
  await emulator.close();
}

const ownerInLibvirt = async () =>
  readOwner(await libvirt.domainGetXml(await libvirt.domainLookupByName(domainName), DomainXmlFlag.Inactive));
const status = async (url: string) =>
  (
    (await redfishClient(() => url).get(SYSTEM)) as {
      Status: { State: string; Health: string; Conditions?: { Message: string; Resolution: string }[] };
    }
  ).Status;

beforeAll(async () => {
  chmodSync(dir, 0o755);
  libvirt = await LibvirtClient.connect('qemu:///system');
  // A domain made by hand, before any store: it has no owner.
  await libvirt.domainDefineXml(
    demoDomainXml({ name: domainName, uuid: randomUUID(), memoryMiB: 64, vcpus: 1, mac: '52:54:00:aa:bb:01' }),
  );
});

afterAll(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
  await removeLabByName(libvirt, { domain: domainName, pool: poolName });
  await libvirt?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the owner of a lab domain', { timeout: 120_000 }, () => {
  const firstDir = join(dir, 'first');
  const secondDir = join(dir, 'second');

  it('is the first store that uses a domain no store owned, which says so once', async () => {
    const said: string[] = [];
    const first = await emulator(firstDir, said);
    const uuid = serviceUuid(first.store);
    expect(await ownerInLibvirt()).toBe(uuid);
    expect(said.filter((line) => line.includes('claimed'))).toEqual([
      `lab: claimed the domain ${domainName} of system o1 for this store (${uuid}); no store owned it`,
    ]);
    await stop(first);
    // Its next start finds the domain its own: nothing to say.
    const again: string[] = [];
    await stop(await emulator(firstDir, again));
    expect(again.filter((line) => line.includes('claimed') || line.includes('owned by'))).toEqual([]);
  });

  it('keeps a second store away: Status names the owner, the start says it once with the fix, a reset is refused', async () => {
    const firstUuid = await ownerInLibvirt();
    const said: string[] = [];
    const second = await emulator(secondDir, said);
    expect(said.filter((line) => line.includes('owned by another store'))).toEqual([
      `lab: system o1's domain ${domainName} is owned by another store (${firstUuid}); this emulator leaves it alone and shows the system UnavailableOffline: stop the emulator serving that store, or start this one with --take-over (key lab.takeOver) to take the domain over`,
    ]);
    const shown = await status(second.url);
    expect(shown).toMatchObject({ State: 'UnavailableOffline', Health: 'Critical' });
    expect(shown.Conditions).toEqual([
      expect.objectContaining({
        Message: expect.stringContaining(`owned by another store (${firstUuid})`),
        Resolution: expect.stringContaining('--take-over'),
      }),
    ]);
    const reset = await redfishClient(() => second.url).request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, {
      ResetType: 'On',
    });
    expect(reset.status).toBe(409);
    expect(await ownerInLibvirt()).toBe(firstUuid);
    await stop(second);
  });

  it('is rewritten on purpose with lab.takeOver, recorded as DomainClaimed naming the store it was taken from', async () => {
    const firstUuid = await ownerInLibvirt();
    const said: string[] = [];
    const takingOver = await emulator(join(dir, 'third'), said, { takeOver: true });
    const uuid = serviceUuid(takingOver.store);
    expect(await ownerInLibvirt()).toBe(uuid);
    expect(said.filter((line) => line.includes('took the domain'))).toEqual([
      `lab: took the domain ${domainName} of system o1 over from store ${firstUuid} (lab.takeOver)`,
    ]);
    const claimed = takingOver.store.readStream(SYSTEM).filter((e) => e.type === 'DomainClaimed');
    expect(claimed.map((e) => e.data)).toEqual([{ domainName, store: uuid, previousOwner: firstUuid }]);
    await expect
      .poll(async () => (await status(takingOver.url)).State, { timeout: 30_000, interval: 200 })
      .toBe('Enabled');
  });
});
