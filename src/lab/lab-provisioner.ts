import { createHash, randomUUID } from 'node:crypto';
import type { LibvirtConnections } from '../libvirt/connections.js';
import { LibvirtConnectionError, missing } from '../libvirt/errors.js';
import { StoragePoolState } from '../libvirt/constants.js';
import { demoDomainXml } from '../libvirt/xml/demo-domain-xml.js';
import { dirPoolXml, volumeXml } from '../libvirt/xml/storage-xml.js';
import type { Hypervisor } from '../libvirt/hypervisor.js';
import type { LabSystem } from './lab-systems.js';

/** A stable, locally administered MAC for a system, so a re-created lab keeps its addresses. */
export function macFor(systemId: string): string {
  const bytes = createHash('sha256').update(systemId).digest().subarray(0, 3);
  return ['52', '54', '00', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** The storage pool the lab's volumes live in: defined, built and started when it is not. True when it defined it. */
export async function ensurePool(
  connections: LibvirtConnections,
  uri: string,
  pool: { name: string; path: string },
): Promise<boolean> {
  const client = await connections.get(uri);
  let handle = await missing(client.poolLookupByName(pool.name), (e) => e.isNoStoragePool);
  const defined = !handle;
  if (!handle) {
    handle = await client.poolDefineXml(dirPoolXml(pool.name, pool.path));
    await client.poolBuild(handle);
    await client.poolSetAutostart(handle, true);
  }
  if ((await client.poolGetInfo(handle)).state !== StoragePoolState.Running) await client.poolCreate(handle);
  return defined;
}

/**
 * The root disk's volume in the lab pool: named after the system, as its volumes' backing is, so
 * a retry finds its own and a scenario replay's sandbox lab has the same names.
 */
export const rootDiskVolumeName = (systemId: string) => `rfe-${systemId}-root.qcow2`;

/** What ensureDomains did: the ids it defined, and the systems whose host did not answer (with why). */
export interface EnsuredDomains {
  readonly defined: string[];
  readonly unreachable: { readonly system: LabSystem; readonly reason: string }[];
}

/**
 * Defines each system's domain when libvirt does not have it: a small machine that runs under
 * TCG (see demoDomainXml) with a SCSI controller per storage controller for its volumes, and a
 * sparse root disk made in the lab pool when the system asks for one and the pool is on its URI.
 * Existing domains are adopted as they are. A host that does not answer holds back only its own
 * systems: they are returned as unreachable, to be defined when it answers.
 */
export async function ensureDomains(
  connections: LibvirtConnections,
  systems: readonly LabSystem[],
  pool?: { uri: string; name: string },
): Promise<EnsuredDomains> {
  // Each host's systems in turn, the hosts side by side: a slow one does not delay the others'.
  const byHost = new Map<string, LabSystem[]>();
  for (const system of systems) {
    const onHost = byHost.get(system.libvirtUri);
    if (onHost) onHost.push(system);
    else byHost.set(system.libvirtUri, [system]);
  }
  const results = await Promise.all(
    [...byHost.values()].map(async (onHost): Promise<EnsuredDomains> => {
      const result: EnsuredDomains = { defined: [], unreachable: [] };
      for (const [i, system] of onHost.entries()) {
        try {
          if (await ensureDomain(connections, system, pool)) result.defined.push(system.id);
        } catch (err) {
          if (!(err instanceof LibvirtConnectionError)) throw err;
          // Down: its other systems are not tried again this round.
          result.unreachable.push(...onHost.slice(i).map((s) => ({ system: s, reason: err.message })));
          break;
        }
      }
      return result;
    }),
  );
  // In the lab's order: by each system's place, looked up in a map (a look through ten thousand at each comparison was not).
  const places = new Map(systems.map((system, i) => [system.id, i]));
  return {
    defined: results.flatMap((r) => r.defined).sort((a, b) => places.get(a)! - places.get(b)!),
    unreachable: results.flatMap((r) => r.unreachable),
  };
}

/** One system's domain, defined when libvirt does not have it; true when it defined it. */
async function ensureDomain(
  connections: LibvirtConnections,
  system: LabSystem,
  pool?: { uri: string; name: string },
): Promise<boolean> {
  const client = await connections.get(system.libvirtUri);
  const existing = await missing(client.domainLookupByName(system.domainName), (e) => e.isNoDomain);
  if (existing) return false;
  const rootDiskFile =
    system.rootDiskGiB > 0 && pool?.uri === system.libvirtUri
      ? await ensureRootDisk(client, pool.name, system)
      : undefined;
  await client.domainDefineXml(
    demoDomainXml({
      name: system.domainName,
      uuid: system.uuid ?? randomUUID(),
      memoryMiB: system.memoryMiB,
      vcpus: system.vcpus,
      firmware: system.firmware,
      mac: system.macs?.[0] ?? macFor(system.id),
      moreMacs: system.macs?.slice(1) ?? [],
      network: system.network,
      scsiControllers: (system.config.storage ?? []).length,
      ...(rootDiskFile !== undefined && { rootDiskFile }),
    }),
  );
  return true;
}

/** The system's root disk volume (made sparse when missing), and its path. */
async function ensureRootDisk(client: Hypervisor, poolName: string, system: LabSystem): Promise<string> {
  const pool = await client.poolLookupByName(poolName);
  const name = rootDiskVolumeName(system.id);
  const volume =
    (await missing(client.volumeLookupByName(pool, name), (e) => e.isNoStorageVolume)) ??
    (await client.volumeCreateXml(pool, volumeXml({ name, capacityBytes: system.rootDiskGiB * 1024 ** 3 })));
  return client.volumeGetPath(volume);
}

/**
 * The systems whose domain libvirt says it does not hold: what a lab that creates none must be
 * told of. A libvirt that cannot be asked is not counted here: the observer reports it, and the
 * lab starts without waiting for it.
 */
export async function systemsWithoutDomain(
  connections: LibvirtConnections,
  systems: readonly LabSystem[],
): Promise<LabSystem[]> {
  const without: LabSystem[] = [];
  for (const system of systems) {
    try {
      const client = await connections.get(system.libvirtUri);
      if (!(await missing(client.domainLookupByName(system.domainName), (e) => e.isNoDomain))) without.push(system);
    } catch {}
  }
  return without;
}
