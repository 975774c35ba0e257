import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { LibvirtClient } from '../../src/libvirt/client.js';
import type { DomainHandle, PoolHandle } from '../../src/libvirt/structs.js';
import { dirPoolXml } from '../../src/libvirt/xml/storage-xml.js';
import { LibvirtError } from '../../src/libvirt/errors.js';
import { removeDomainByName, removePoolByName } from '../../src/lab/remove-lab-objects.js';

/** A name no other test run uses, with the prefix every test object carries. */
export function uniqueName(what: string): string {
  return `rfe-test-${what}-${randomUUID().slice(0, 8)}`;
}

/** Ignores "it is already gone" during clean-up, so one missing object does not hide the rest. */
export async function quietly(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!(err instanceof LibvirtError)) throw err;
  }
}

/**
 * A started dir pool whose target is a fresh temp dir (readable by the QEMU user, which must
 * reach the volumes once they are attached), and the clean-up that removes its volumes, the
 * pool and the directory.
 */
export async function createTempPool(
  client: LibvirtClient,
): Promise<{ pool: PoolHandle; path: string; remove(): Promise<void> }> {
  const path = mkdtempSync(join(tmpdir(), 'rfe-test-pool-'));
  chmodSync(path, 0o755);
  const pool = await client.poolDefineXml(dirPoolXml(uniqueName('pool'), path));
  await client.poolBuild(pool);
  await client.poolCreate(pool);
  return {
    pool,
    path,
    async remove() {
      await quietly(async () => {
        for (const volume of await client.poolListVolumes(pool)) await quietly(() => client.volumeDelete(volume));
      });
      await quietly(() => client.poolDestroy(pool));
      await quietly(() => client.poolUndefine(pool));
      rmSync(path, { recursive: true, force: true });
    },
  };
}

export async function removeDomain(client: LibvirtClient, domain: DomainHandle): Promise<void> {
  await quietly(() => client.domainDestroy(domain));
  await quietly(() => client.domainUndefine(domain, 4));
}

/**
 * Removes what a lab test made by name, whatever state it was left in: the domain (stopped,
 * then undefined) and the pool with every volume in it.
 */
export async function removeLabByName(client: LibvirtClient, names: { domain: string; pool: string }): Promise<void> {
  await removeDomainByName(client, names.domain);
  await removePoolByName(client, names.pool);
}

/**
 * The end of a test file that ran the emulator on a lab of its own: the emulator stopped, its
 * domain and pool removed from libvirt, the temp directory deleted, whatever state the tests
 * left them in (any of them may be missing when a start failed).
 */
export async function tearDownLab(lab: {
  emulator?: { close(): Promise<void> };
  libvirt?: LibvirtClient;
  domainName: string;
  poolName: string;
  dir: string;
}): Promise<void> {
  await lab.emulator?.close();
  if (lab.libvirt) await removeLabByName(lab.libvirt, { domain: lab.domainName, pool: lab.poolName });
  await lab.libvirt?.close();
  rmSync(lab.dir, { recursive: true, force: true });
}

/** A domain of a suite's own on test:///default, and how to remove it. */
export interface TestDriverDomain {
  readonly name: string;
  remove(): Promise<void>;
}

/**
 * A running domain of its own on test:///default, made from the driver's domain "test" under a
 * new name, and the clean-up that removes it. libvirtd keeps that driver's state for all its
 * clients while any of them is connected, so suites sharing "test" itself would power it on and
 * off under each other (and one store would own it for the next): each suite takes a copy, and
 * holds a connection until the end so that the copy outlives the emulator's reconnections.
 */
export async function runningTestDriverDomain(): Promise<TestDriverDomain> {
  const name = uniqueName('test-driver');
  const libvirt = await LibvirtClient.connect('test:///default');
  try {
    const template = await libvirt.domainGetXml(await libvirt.domainLookupByName('test'));
    const xml = template
      .replace(/<name>[^<]*<\/name>/, `<name>${name}</name>`)
      .replace(/<uuid>[^<]*<\/uuid>/, `<uuid>${randomUUID()}</uuid>`);
    await libvirt.domainCreate(await libvirt.domainDefineXml(xml));
  } catch (err) {
    await libvirt.close();
    throw err;
  }
  return {
    name,
    async remove() {
      await removeDomainByName(libvirt, name).finally(() => libvirt.close());
    },
  };
}
