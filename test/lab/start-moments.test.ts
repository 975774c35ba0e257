import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DomainState } from '../../src/libvirt/constants.js';
import { driveUri, storageStream } from '../../src/domain/storage/storage-events.js';
import { removeLabByName, uniqueName } from '../support/libvirt.js';
import { redfishClient } from '../support/redfish-client.js';
import { startEmulatorProcess, stopEmulatorProcess, type EmulatorProcess } from '../support/emulator-process.js';

/*
 * What is accepted at the edges of the service's life: the first moment it answers, while
 * libvirt cannot be reached yet, and a stop at any moment, each with the emulator as its own
 * process on a store of its own.
 */

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'rfe-test-start-moments-'));
const poolName = uniqueName('pool');
const domainName = uniqueName('moments');
const VOLUMES = `${storageStream('m1', 'RAID')}/Volumes`;
let libvirt: LibvirtClient;
const running: EmulatorProcess[] = [];

/** A config of its own for each run (its own data directory: each start is a first start). */
function configFile(run: string, libvirtUri = 'qemu:///system'): string {
  const file = join(dir, `${run}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      dataDir: join(dir, run),
      listen: { port: 0 },
      auth: { enabled: false },
      tls: false,
      libvirt: { uri: libvirtUri, pool: { name: poolName, path: join(dir, 'pool') } },
      lab: {
        createMissingDomains: true,
        // Each run is a new store on the same domain, on purpose: it takes the domain over.
        takeOver: true,
        systems: [
          {
            id: 'm1',
            domain: domainName,
            memoryMiB: 64,
            storage: [
              {
                id: 'RAID',
                drives: [0, 1].map((i) => ({
                  id: String(i),
                  capacityBytes: 256 * MiB,
                  mediaType: 'HDD',
                  protocol: 'SAS',
                })),
              },
            ],
          },
        ],
      },
    }),
  );
  return file;
}

/** The backing volume of volume `id` of the RAID controller, whatever store made it. */
const backingOf = (id: string) => expect.stringMatching(new RegExp(`^rfe-m1-RAID-[0-9a-f]{8}-vol${id}\\.qcow2$`));

async function start(file: string): Promise<EmulatorProcess> {
  const emulator = await startEmulatorProcess(file);
  running.push(emulator);
  return emulator;
}

const volumeRequest = (drive: number) => ({
  RAIDType: 'RAID0',
  CapacityBytes: 8 * MiB,
  Links: { Drives: [{ '@odata.id': driveUri('m1', 'RAID', String(drive)) }] },
});

/** The volume a create made, once its work is done: from a 201 at once, or from its task monitor. */
async function createdVolume(emulator: EmulatorProcess, response: Response): Promise<string> {
  expect([201, 202]).toContain(response.status);
  const location = response.headers.get('location')!;
  if (response.status === 201) return location;
  let done: Response | undefined;
  await expect
    .poll(
      async () => {
        done = await fetch(`${emulator.url}${location}`);
        return done.status;
      },
      { timeout: 60_000, interval: 200 },
    )
    .toBe(201);
  return done!.headers.get('location')!;
}

async function poolVolumes(): Promise<string[]> {
  const pool = await libvirt.poolLookupByName(poolName);
  await libvirt.poolRefresh(pool);
  return (await libvirt.poolListVolumes(pool)).map((v) => v.name);
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  libvirt = await LibvirtClient.connect('qemu:///system');
});

afterAll(async () => {
  await Promise.all(running.map((emulator) => stopEmulatorProcess(emulator, 'SIGKILL')));
  await removeLabByName(libvirt, { domain: domainName, pool: poolName });
  await libvirt.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('requests at the edges of the service life', { timeout: 120_000 }, () => {
  it('carries out a volume asked for at the first moment a new store answers', async () => {
    const emulator = await start(configFile('first-moment'));
    const client = redfishClient(() => emulator.url);
    const volume = await createdVolume(emulator, await client.request('POST', VOLUMES, volumeRequest(0)));
    expect(volume).toBe(`${VOLUMES}/1`);
    expect(await poolVolumes()).toContainEqual(backingOf('1'));
    expect(await stopEmulatorProcess(emulator, 'SIGTERM')).toBe(0);
  });

  it('carries out what it accepted while libvirt could not be reached, once libvirt answers', async () => {
    // A socket path that does not exist yet: the lab cannot start until it appears.
    const socket = join(dir, 'libvirt-sock');
    const emulator = await start(configFile('late-libvirt', `qemu:///system?socket=${socket}`));
    const client = redfishClient(() => emulator.url);
    const posted = await client.request('POST', VOLUMES, volumeRequest(1));
    expect(posted.status).toBe(202);
    const reset = await client.request('POST', '/redfish/v1/Systems/m1/Actions/ComputerSystem.Reset', {
      ResetType: 'On',
    });
    expect(reset.status).toBe(204);

    symlinkSync('/run/libvirt/libvirt-sock', socket);
    const volume = await createdVolume(emulator, posted);
    expect(await poolVolumes()).toContainEqual(backingOf(volume.split('/').pop()!));
    await expect
      .poll(async () => (await libvirt.domainGetState(await libvirt.domainLookupByName(domainName))).state, {
        timeout: 60_000,
        interval: 200,
      })
      .toBe(DomainState.Running);
    expect(await stopEmulatorProcess(emulator, 'SIGTERM')).toBe(0);
    await libvirt.domainDestroy(await libvirt.domainLookupByName(domainName));
  });

  it('ends within moments when stopped at any moment of its start', async () => {
    for (const delayMs of [0, 20, 100, 300]) {
      const emulator = await start(configFile(`stop-${delayMs}`));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const stoppedAt = Date.now();
      expect(await stopEmulatorProcess(emulator, 'SIGTERM')).toBe(0);
      // Generous for a loaded machine; a stop that hangs holds on for a minute or more.
      expect(Date.now() - stoppedAt, `stopped ${delayMs} ms after it served`).toBeLessThan(10_000);
    }
  });
});
