import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { removeLabByName, uniqueName } from '../support/libvirt.js';

/*
 * Two stores on one lab (one pool, one domain): the one that came second (a new store on an old
 * lab) finds the first one's backing volumes named like its own, and its orphan sweep leaves them
 * alone, as they were not made by it.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-sweep-'));
const poolDir = join(dir, 'pool');
const domainName = uniqueName('sweep');
const poolName = uniqueName('pool');
const VOLUMES = '/redfish/v1/Systems/s1/Storage/RAID/Volumes';
const GiB = 1024 ** 3;
const emulators: RunningEmulator[] = [];
let libvirt: LibvirtClient;

/** An emulator with a data directory of its own on the shared lab; what it says is kept in `said`. */
async function emulatorOnTheLab(name: string, said: string[]): Promise<RunningEmulator> {
  const drives = [0, 1, 2, 3].map((i) => ({ id: String(i), capacityBytes: GiB, mediaType: 'HDD', protocol: 'SAS' }));
  const { config } = testConfig(mkdtempSync(join(dir, `${name}-`)), {
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: poolDir } },
    lab: { createMissingDomains: true, systems: [{ id: 's1', name: 'Sweep node', domain: domainName, vcpus: 1, memoryMiB: 64, storage: [{ id: 'RAID', name: 'RAID', drives }] }] },
  });
  const emulator = await startEmulator(config, { resyncIntervalMs: 300, settleWaitMs: 60_000, announce: (line) => said.push(line) });
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
  await removeLabByName(libvirt, { domain: domainName, pool: poolName });
  await libvirt?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the orphan sweep with two stores on one pool', { timeout: 120_000 }, () => {
  it('deletes none of the volumes another store made, and says so once', async () => {
    const first = await emulatorOnTheLab('first', []);
    const { request } = redfishClient(() => first.url);
    for (const drives of [[0, 1], [2, 3]]) {
      const created = await request('POST', VOLUMES, { RAIDType: 'RAID1', Links: { Drives: drives.map((d) => ({ '@odata.id': `/redfish/v1/Systems/s1/Storage/RAID/Drives/${d}` })) } });
      expect(created.status).toBe(201);
    }
    expect(await poolVolumes()).toEqual(['rfe-s1-RAID-vol1.qcow2', 'rfe-s1-RAID-vol2.qcow2']);

    const said: string[] = [];
    await emulatorOnTheLab('second', said);
    // Many sweeps of the second store (every 300 ms), with the first one still running beside it.
    await new Promise((resolve) => setTimeout(resolve, 3000));

    expect(await poolVolumes()).toEqual(['rfe-s1-RAID-vol1.qcow2', 'rfe-s1-RAID-vol2.qcow2']);
    const leftAlone = said.filter((line) => line.startsWith('leaving '));
    expect(leftAlone.sort()).toEqual([
      expect.stringMatching(/^leaving rfe-s1-RAID-vol1\.qcow2 alone: .*this store never asked for volume 1/),
      expect.stringMatching(/^leaving rfe-s1-RAID-vol2\.qcow2 alone: /),
    ]);
  });
});
