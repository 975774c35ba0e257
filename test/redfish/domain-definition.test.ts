import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DomainXmlFlag } from '../../src/libvirt/constants.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { SYSTEM_RECONCILER } from '../../src/reconciler/reconciler-checkpoints.js';
import { oneDriveRaidLab } from '../support/config.js';
import { backingVolumeName } from '../../src/domain/storage/backing-volume-name.js';
import { storeTag } from '../../src/service-identity.js';
import { redfishClient } from '../support/redfish-client.js';
import { uniqueName, tearDownLab } from '../support/libvirt.js';

/*
 * What the reconcilers do to a domain's definition, over the real libvirtd with the machine
 * stopped. Volume creates and boot override changes of one system at once: the storage reconciler
 * attaches each volume's disk to the definition while the system reconciler rewrites it for the
 * boot order, and each must keep the other's change (before, a boot order defined from a
 * definition read just before an attach dropped that volume's disk). And a volume whose backing
 * file was deleted behind the emulator's back is detached when it is deleted (before, the delete
 * found the disk through the file, found no file, and left the disk for ever). Both were found by
 * npm run soak.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-domain-definition-'));
const poolDir = join(dir, 'pool');
const domainName = uniqueName('definition');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/s1';
const VOLUMES = `${SYSTEM}/Storage/RAID/Volumes`;
const MiB = 1024 * 1024;
const ROUNDS = 16;
let emulator: RunningEmulator | undefined;
let libvirt: LibvirtClient | undefined;
const { request } = redfishClient(() => emulator!.url);

/** The files of the disks in the domain's persistent definition. */
async function attachedFiles(): Promise<string[]> {
  const xml = await libvirt!.domainGetXml(await libvirt!.domainLookupByName(domainName), DomainXmlFlag.Inactive);
  return readDomainXml(xml).disks.flatMap((d) => (d.device === 'disk' && d.sourceFile ? [basename(d.sourceFile)] : []));
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  mkdirSync(poolDir, { mode: 0o755 });
  libvirt = await LibvirtClient.connect('qemu:///system');
  const { config } = oneDriveRaidLab(dir, { domainName, poolName, poolDir });
  emulator = await startEmulator(config, { resyncIntervalMs: 60_000, settleWaitMs: 60_000 });
  await emulator.lab!.ready;
});

afterAll(async () => {
  await tearDownLab({ emulator, libvirt, domainName, poolName, dir });
});

describe('volume attaches beside boot order changes', { timeout: 180_000 }, () => {
  it('leaves every created volume attached to the definition', async () => {
    const creates = Array.from({ length: ROUNDS }, () =>
      request('POST', VOLUMES, {
        RAIDType: 'RAID0',
        CapacityBytes: MiB,
        Links: { Drives: [{ '@odata.id': `${SYSTEM}/Storage/RAID/Drives/0` }] },
      }),
    );
    const patches = (async () => {
      for (let i = 0; i < ROUNDS * 2; i++) {
        const response = await request('PATCH', SYSTEM, {
          Boot: { BootSourceOverrideTarget: i % 2 === 0 ? 'Pxe' : 'Hdd', BootSourceOverrideEnabled: 'Continuous' },
        });
        expect(response.status).toBe(200);
      }
    })();
    const answers = await Promise.all(creates);
    await patches;
    expect(answers.map((a) => a.status)).toEqual(Array(ROUNDS).fill(201));
    // The boot order changes are carried out in log order too: wait for the last before reading the definition.
    const last = emulator!.store.lastPosition();
    await expect
      .poll(() => emulator!.store.checkpoint(SYSTEM_RECONCILER) ?? 0, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(last);
    const attached = await attachedFiles();
    const expected = answers.map((a) =>
      backingVolumeName('s1', 'RAID', storeTag(emulator!.store), basename(a.headers.get('location')!)),
    );
    expect(expected.filter((name) => !attached.includes(name))).toEqual([]);
  });
});

describe('deleting a volume whose backing file is gone', { timeout: 120_000 }, () => {
  it('detaches its disk from the domain', async () => {
    const created = await request('POST', VOLUMES, {
      RAIDType: 'RAID0',
      CapacityBytes: MiB,
      Links: { Drives: [{ '@odata.id': `${SYSTEM}/Storage/RAID/Drives/0` }] },
    });
    expect(created.status).toBe(201);
    const volume = new URL(created.headers.get('location')!, emulator!.url).pathname;
    const file = backingVolumeName('s1', 'RAID', storeTag(emulator!.store), basename(volume));
    expect(await attachedFiles()).toContain(file);
    const pool = await libvirt!.poolLookupByName(poolName);
    await libvirt!.volumeDelete(await libvirt!.volumeLookupByName(pool, file));

    expect((await request('DELETE', volume)).status).toBe(204);
    expect(await attachedFiles()).not.toContain(file);
    expect((await request('GET', volume)).status).toBe(404);
  });
});
