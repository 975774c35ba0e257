import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DomainXmlFlag } from '../../src/libvirt/constants.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { uniqueName, tearDownLab } from '../support/libvirt.js';

/*
 * A volume whose backing file was deleted behind the emulator's back is still attached to the
 * domain (the definition names the file). Deleting the volume must detach that disk too: before,
 * the delete looked the disk up through the file, found no file, and left the disk in the
 * definition for ever, a disk no volume owns (found by npm run soak).
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-delete-without-backing-'));
const poolDir = join(dir, 'pool');
const domainName = uniqueName('nobacking');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/s1';
const VOLUMES = `${SYSTEM}/Storage/RAID/Volumes`;
const MiB = 1024 * 1024;
let emulator: RunningEmulator | undefined;
let libvirt: LibvirtClient | undefined;
const { request } = redfishClient(() => emulator!.url);

async function attachedFiles(): Promise<string[]> {
  const xml = await libvirt!.domainGetXml(await libvirt!.domainLookupByName(domainName), DomainXmlFlag.Inactive);
  return readDomainXml(xml).disks.flatMap((d) => (d.device === 'disk' && d.sourceFile ? [basename(d.sourceFile)] : []));
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  mkdirSync(poolDir, { mode: 0o755 });
  libvirt = await LibvirtClient.connect('qemu:///system');
  const { config } = testConfig(dir, {
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: poolDir } },
    lab: {
      createMissingDomains: true,
      systems: [{ id: 's1', domain: domainName, vcpus: 1, memoryMiB: 64, storage: [{ id: 'RAID', drives: [{ id: '0', capacityBytes: 1024 * MiB, mediaType: 'HDD', protocol: 'SAS' }] }] }],
    },
  });
  // A long drift check: the volume is deleted before the sweep would look.
  emulator = await startEmulator(config, { resyncIntervalMs: 60_000, settleWaitMs: 30_000 });
  await emulator.lab!.ready;
});

afterAll(async () => {
  await tearDownLab({ emulator, libvirt, domainName, poolName, dir });
});

describe('deleting a volume whose backing file is gone', { timeout: 120_000 }, () => {
  it('detaches its disk from the domain', async () => {
    const created = await request('POST', VOLUMES, { RAIDType: 'RAID0', CapacityBytes: MiB, Links: { Drives: [{ '@odata.id': `${SYSTEM}/Storage/RAID/Drives/0` }] } });
    expect(created.status).toBe(201);
    const volume = new URL(created.headers.get('location')!, emulator!.url).pathname;
    expect(await attachedFiles()).toContain('rfe-s1-RAID-vol1.qcow2');
    const pool = await libvirt!.poolLookupByName(poolName);
    await libvirt!.volumeDelete(await libvirt!.volumeLookupByName(pool, 'rfe-s1-RAID-vol1.qcow2'));

    expect((await request('DELETE', volume)).status).toBe(204);
    expect(await attachedFiles()).not.toContain('rfe-s1-RAID-vol1.qcow2');
    expect((await request('GET', volume)).status).toBe(404);
  });
});
