import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { EmulatorConfig } from '../config/config.js';
import { labConnections } from '../lab/lab-connections.js';
import { DomainXmlFlag } from '../libvirt/constants.js';
import { readDomainXml } from '../libvirt/xml/domain-xml.js';
import { readPoolXml } from '../libvirt/xml/storage-xml.js';
import type { Hypervisor } from '../libvirt/hypervisor.js';
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

/** How a sandbox's names end: `-replay-` and six hex digits, on its pool, its pool's directory and its domains. */
const SANDBOX_SUFFIX = /-replay-[0-9a-f]{6}$/;

/** Whether a libvirt object's name (or a pool's directory) is a replay sandbox's. */
export function isSandboxName(name: string): boolean {
  return SANDBOX_SUFFIX.test(name);
}

/** The live object a sandbox object was named after ("rfe-demo-node-1" for "rfe-demo-node-1-replay-1a2b3c"), or undefined for any other name. */
export function sandboxedName(name: string): string | undefined {
  return isSandboxName(name) ? name.replace(SANDBOX_SUFFIX, '') : undefined;
}

export function newSandbox(config: EmulatorConfig, dataDir: string, tag = randomBytes(3).toString('hex')): Sandbox {
  const suffix = `-replay-${tag}`;
  const { pool } = config.libvirt;
  // A replay's machines are not the lab's: the lab's notification receiver is not told of them.
  const { notifications: _, ...lab } = config.lab;
  return {
    suffix,
    config: {
      ...config,
      dataDir,
      libvirt: {
        uri: config.libvirt.uri,
        ...(pool && { pool: { name: `${pool.name}${suffix}`, path: `${pool.path}${suffix}` } }),
      },
      lab: {
        ...lab,
        createMissingDomains: true,
        adopt: [],
        systems: config.lab.systems.map((system) => ({ ...system, domain: `${system.domain}${suffix}` })),
      },
    },
  };
}

/** What a lab holds in libvirt that the emulator put there: its pool's volumes and each domain's disks. */
export interface LabInventory {
  readonly volumes: readonly { readonly name: string; readonly capacityBytes: number }[];
  readonly disks: Readonly<
    Record<string, readonly { readonly device: string; readonly target: string; readonly source?: string }[]>
  >;
}

/**
 * A lab's libvirt objects as a replay compares them: volumes by name and capacity, each system's
 * disks by device, target and source file name (without the directory, which differs).
 */
export async function labInventory(config: EmulatorConfig): Promise<LabInventory> {
  const connections = labConnections(config);
  try {
    const client = await connections.get(config.libvirt.uri);
    const volumes: { name: string; capacityBytes: number }[] = [];
    if (config.libvirt.pool) {
      const pool = await client.poolLookupByName(config.libvirt.pool.name);
      await client.poolRefresh(pool);
      for (const volume of await client.poolListVolumes(pool))
        volumes.push({ name: volume.name, capacityBytes: Number((await client.volumeGetInfo(volume)).capacity) });
    }
    const disks: Record<string, { device: string; target: string; source?: string }[]> = {};
    for (const system of labSystems(config)) {
      const systemClient = await connections.get(system.libvirtUri);
      const domain = await systemClient.domainLookupByName(system.domainName);
      disks[system.id] = readDomainXml(await systemClient.domainGetXml(domain, DomainXmlFlag.Inactive)).disks.map(
        (disk) => ({
          device: disk.device,
          target: disk.targetDev ?? '',
          ...(disk.sourceFile && { source: disk.sourceFile.split('/').at(-1)! }),
        }),
      );
    }
    return { volumes: volumes.sort((a, b) => (a.name < b.name ? -1 : 1)), disks };
  } finally {
    await connections.closeAll();
  }
}

/** A sandbox's libvirt objects on one libvirt connection. */
export interface SandboxObjects {
  readonly domains: readonly string[];
  readonly pools: readonly { readonly name: string; readonly path?: string }[];
}

/**
 * Removes sandbox objects: each domain destroyed and undefined, each pool's volumes deleted,
 * the pool destroyed and undefined, and its directory removed, only if its name is a
 * sandbox's too (never a directory the sandbox did not make).
 */
export async function removeSandboxObjects(client: Hypervisor, objects: SandboxObjects): Promise<void> {
  for (const domain of objects.domains) await removeDomainByName(client, domain);
  for (const pool of objects.pools) {
    await removePoolByName(client, pool.name);
    if (pool.path && isSandboxName(pool.path)) rmSync(pool.path, { recursive: true, force: true });
  }
}

/** Removes the sandbox's domains, its pool with every volume, and the pool's directory. */
export async function removeSandbox(sandbox: Sandbox): Promise<void> {
  const connections = labConnections(sandbox.config);
  try {
    for (const system of labSystems(sandbox.config))
      await removeSandboxObjects(await connections.get(system.libvirtUri), { domains: [system.domainName], pools: [] });
    const { pool } = sandbox.config.libvirt;
    if (pool)
      await removeSandboxObjects(await connections.get(sandbox.config.libvirt.uri), { domains: [], pools: [pool] });
  } finally {
    await connections.closeAll();
  }
}

/**
 * Sandbox objects on a libvirt connection, known by their names: what replays that were killed
 * (kill -9, a power loss, a second Ctrl-C) left. A replay still running has its sandbox listed
 * too. `madeFrom` picks whose: it is given the live name each was made from.
 */
export async function findSandboxObjects(
  client: Hypervisor,
  madeFrom: (liveName: string) => boolean = () => true,
): Promise<SandboxObjects> {
  const ours = (name: string) => {
    const live = sandboxedName(name);
    return live !== undefined && madeFrom(live);
  };
  const domains = (await client.listAllDomains())
    .map((d) => d.name)
    .filter(ours)
    .sort();
  const pools: { name: string; path?: string }[] = [];
  for (const pool of await client.listAllStoragePools()) {
    if (!ours(pool.name)) continue;
    const path = readPoolXml(await client.poolGetXml(pool)).path;
    pools.push({ name: pool.name, ...(path && { path }) });
  }
  return { domains, pools: pools.sort((a, b) => (a.name < b.name ? -1 : 1)) };
}
