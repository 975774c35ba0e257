import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DomainXmlFlag } from '../../src/libvirt/constants.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { SYSTEM_RECONCILER } from '../../src/reconciler/reconciler-checkpoints.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { uniqueName, tearDownLab } from '../support/libvirt.js';

/*
 * Volume creates and boot override changes of one system at once: the storage reconciler attaches
 * each volume's disk to the domain's definition while the system reconciler rewrites that
 * definition for the boot order. Each must keep the other's change: before, a boot order defined
 * from a definition read just before an attach dropped the volume's disk (found by npm run soak).
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-definition-race-'));
const poolDir = join(dir, 'pool');
const domainName = uniqueName('race');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/s1';
const VOLUMES = `${SYSTEM}/Storage/RAID/Volumes`;
const MiB = 1024 * 1024;
const ROUNDS = 16;
let emulator: RunningEmulator | undefined;
let libvirt: LibvirtClient | undefined;
const { request } = redfishClient(() => emulator!.url);

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
  emulator = await startEmulator(config, { resyncIntervalMs: 60_000, settleWaitMs: 60_000 });
  await emulator.lab!.ready;
});

afterAll(async () => {
  await tearDownLab({ emulator, libvirt, domainName, poolName, dir });
});

describe('volume attaches beside boot order changes', { timeout: 180_000 }, () => {
  it('leaves every created volume attached to the definition', async () => {
    const creates = Array.from({ length: ROUNDS }, () => request('POST', VOLUMES, { RAIDType: 'RAID0', CapacityBytes: MiB, Links: { Drives: [{ '@odata.id': `${SYSTEM}/Storage/RAID/Drives/0` }] } }));
    const patches = (async () => {
      for (let i = 0; i < ROUNDS * 2; i++) {
        const response = await request('PATCH', SYSTEM, { Boot: { BootSourceOverrideTarget: i % 2 === 0 ? 'Pxe' : 'Hdd', BootSourceOverrideEnabled: 'Continuous' } });
        expect(response.status).toBe(200);
      }
    })();
    const answers = await Promise.all(creates);
    await patches;
    expect(answers.map((a) => a.status)).toEqual(Array(ROUNDS).fill(201));
    // The boot order changes are carried out in log order too: wait for the last before reading the definition.
    const last = emulator!.store.lastPosition();
    await expect.poll(() => emulator!.store.checkpoint(SYSTEM_RECONCILER) ?? 0, { timeout: 60_000 }).toBeGreaterThanOrEqual(last);
    const xml = await libvirt!.domainGetXml(await libvirt!.domainLookupByName(domainName), DomainXmlFlag.Inactive);
    const attached = readDomainXml(xml).disks.flatMap((d) => (d.device === 'disk' && d.sourceFile ? [basename(d.sourceFile)] : []));
    const expected = answers.map((a) => `rfe-s1-RAID-vol${basename(a.headers.get('location')!)}.qcow2`);
    expect(expected.filter((name) => !attached.includes(name))).toEqual([]);
  });
});
