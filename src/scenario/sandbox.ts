import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { EmulatorConfig } from '../config/config.js';
import { LibvirtConnections } from '../libvirt/connections.js';
import { DomainXmlFlag } from '../libvirt/constants.js';
import { readDomainXml } from '../libvirt/xml/domain-xml.js';
import { labSystems } from '../lab/lab-systems.js';
import { removeDomainByName, removePoolByName } from '../lab/remove-lab-objects.js';

/**
 * Where a replay runs: a pool and domains of its own, named after the lab's with a suffix no
 * live object has, so nothing it does can reach the live lab's libvirt objects.
 */
export interface Sandbox {
  readonly suffix: string;
  readonly config: EmulatorConfig;
}

export function newSandbox(config: EmulatorConfig, dataDir: string, tag = randomBytes(3).toString('hex')): Sandbox {
  const suffix = `-replay-${tag}`;
  const { pool } = config.libvirt;
  return {
    suffix,
    config: {
      ...config,
      dataDir,
      libvirt: { uri: config.libvirt.uri, ...(pool && { pool: { name: `${pool.name}${suffix}`, path: `${pool.path}${suffix}` } }) },
      lab: { ...config.lab, createMissingDomains: true, adopt: [], systems: config.lab.systems.map((system) => ({ ...system, domain: `${system.domain}${suffix}` })) },
    },
  };
}

/** What a lab holds in libvirt that the emulator put there: its pool's volumes and each domain's disks. */
export interface LabInventory {
  readonly volumes: readonly { readonly name: string; readonly capacityBytes: number }[];
  readonly disks: Readonly<Record<string, readonly { readonly device: string; readonly target: string; readonly source?: string }[]>>;
}

/**
 * A lab's libvirt objects as a replay compares them: volumes by name and capacity, each system's
 * disks by device, target and source file name (without the directory, which differs).
 */
export async function labInventory(config: EmulatorConfig): Promise<LabInventory> {
  const connections = new LibvirtConnections({ callTimeoutMs: 60_000 });
  try {
    const client = await connections.get(config.libvirt.uri);
    const volumes: { name: string; capacityBytes: number }[] = [];
    if (config.libvirt.pool) {
      const pool = await client.poolLookupByName(config.libvirt.pool.name);
      await client.poolRefresh(pool);
      for (const volume of await client.poolListVolumes(pool)) volumes.push({ name: volume.name, capacityBytes: Number((await client.volumeGetInfo(volume)).capacity) });
    }
    const disks: Record<string, { device: string; target: string; source?: string }[]> = {};
    for (const system of labSystems(config)) {
      const systemClient = await connections.get(system.libvirtUri);
      const domain = await systemClient.domainLookupByName(system.domainName);
      disks[system.id] = readDomainXml(await systemClient.domainGetXml(domain, DomainXmlFlag.Inactive)).disks.map((disk) => ({
        device: disk.device,
        target: disk.targetDev ?? '',
        ...(disk.sourceFile && { source: disk.sourceFile.split('/').at(-1)! }),
      }));
    }
    return { volumes: volumes.sort((a, b) => (a.name < b.name ? -1 : 1)), disks };
  } finally {
    await connections.closeAll();
  }
}

/** Removes the sandbox's domains, its pool with every volume, and the pool's directory. */
export async function removeSandbox(sandbox: Sandbox): Promise<void> {
  const connections = new LibvirtConnections({ callTimeoutMs: 60_000 });
  try {
    for (const system of labSystems(sandbox.config)) await removeDomainByName(await connections.get(system.libvirtUri), system.domainName);
    const { pool } = sandbox.config.libvirt;
    if (pool) {
      await removePoolByName(await connections.get(sandbox.config.libvirt.uri), pool.name);
      rmSync(pool.path, { recursive: true, force: true });
    }
  } finally {
    await connections.closeAll();
  }
}
