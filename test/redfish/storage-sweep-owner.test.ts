import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DomainXmlFlag } from '../../src/libvirt/constants.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { storeTag } from '../../src/service-identity.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { removeLabByName, uniqueName } from '../support/libvirt.js';
import { removeDomainByName } from '../../src/lab/remove-lab-objects.js';

/*
 * Two stores on one pool, each with a data directory and a domain of its own: each
 * names its backing volumes with its own store tag, so both can have a Volume 1 on the same
 * controller, and neither's orphan sweep deletes the other's (each says once what it leaves alone).
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-sweep-'));
const poolDir = join(dir, 'pool');
/** Each store has a domain of its own (a domain has one owning store), both on the one pool. */
const domainNames = { first: uniqueName('sweep-first'), second: uniqueName('sweep-second') };
const poolName = uniqueName('pool');
const VOLUMES = '/redfish/v1/Systems/s1/Storage/RAID/Volumes';
const GiB = 1024 ** 3;
const emulators: RunningEmulator[] = [];
let libvirt: LibvirtClient;

/** An emulator with a data directory of its own on the shared lab; what it says is kept in `said`. */
async function emulatorOnTheLab(name: 'first' | 'second', said: string[]): Promise<RunningEmulator> {
  const drives = [0, 1, 2, 3].map((i) => ({ id: String(i), capacityBytes: GiB, mediaType: 'HDD', protocol: 'SAS' }));
  const { config } = testConfig(mkdtempSync(join(dir, `${name}-`)), {
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: poolDir } },
    lab: {
      createMissingDomains: true,
      systems: [
        {
          id: 's1',
          name: 'Sweep node',
          domain: domainNames[name],
          vcpus: 1,
          memoryMiB: 64,
          storage: [{ id: 'RAID', name: 'RAID', drives }],
        },
      ],
    },
  });
  const emulator = await startEmulator(config, {
    resyncIntervalMs: 300,
    settleWaitMs: 60_000,
    announce: (line) => said.push(line),
  });
  emulators.push(emulator);
  await emulator.lab!.ready;
  return emulator;
}

async function poolVolumes(): Promise<string[]> {
  const pool = await libvirt.poolLookupByName(poolName);
  await libvirt.poolRefresh(pool);
  return (await libvirt.poolListVolumes(pool)).map((v) => v.name).sort();
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  libvirt = await LibvirtClient.connect('qemu:///system');
});

afterAll(async () => {
  for (const emulator of emulators) await emulator.close();
  await removeDomainByName(libvirt, domainNames.second);
  await removeLabByName(libvirt, { domain: domainNames.first, pool: poolName });
  await libvirt?.close();
  rmSync(dir, { recursive: true, force: true });
});

const createVolume1 = async (emulator: RunningEmulator) => {
  const { request } = redfishClient(() => emulator.url);
  const drives = [0, 1].map((d) => ({ '@odata.id': `/redfish/v1/Systems/s1/Storage/RAID/Drives/${d}` }));
  const created = await request('POST', VOLUMES, { RAIDType: 'RAID1', Links: { Drives: drives } });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe(`${VOLUMES}/1`);
};

describe('two stores on one pool', { timeout: 120_000 }, () => {
  it("each has its own backing volume for its Volume 1, and neither sweep deletes the other's", async () => {
    const saidByFirst: string[] = [];
    const saidBySecond: string[] = [];
    const first = await emulatorOnTheLab('first', saidByFirst);
    const second = await emulatorOnTheLab('second', saidBySecond);
    await createVolume1(first);
    await createVolume1(second);
    const [firstTag, secondTag] = [storeTag(first.store), storeTag(second.store)];
    expect(firstTag).not.toBe(secondTag);
    const both = [`rfe-s1-RAID-${firstTag}-vol1.qcow2`, `rfe-s1-RAID-${secondTag}-vol1.qcow2`].sort();
    expect(await poolVolumes()).toEqual(both);

    // Many sweeps of each store (every 300 ms), side by side.
    await new Promise((resolve) => setTimeout(resolve, 3000));

    expect(await poolVolumes()).toEqual(both);
    // Each volume is attached to its store's domain, with its own backing file.
    for (const [name, tag] of [
      ['first', firstTag],
      ['second', secondTag],
    ] as const) {
      const disks = readDomainXml(
        await libvirt.domainGetXml(await libvirt.domainLookupByName(domainNames[name]), DomainXmlFlag.Inactive),
      ).disks.filter((d) => d.device === 'disk');
      expect(disks.map((d) => basename(d.sourceFile!))).toEqual([`rfe-s1-RAID-${tag}-vol1.qcow2`]);
    }
    const leftAlone = (said: string[]) => said.filter((line) => line.startsWith('leaving '));
    expect(leftAlone(saidByFirst)).toEqual([
      expect.stringMatching(new RegExp(`^leaving rfe-s1-RAID-${secondTag}-vol1\\.qcow2 alone: .*another store`)),
    ]);
    expect(leftAlone(saidBySecond)).toEqual([
      expect.stringMatching(new RegExp(`^leaving rfe-s1-RAID-${firstTag}-vol1\\.qcow2 alone: .*another store`)),
    ]);
  });
});
