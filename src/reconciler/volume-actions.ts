import type { LibvirtClient } from '../libvirt/client.js';
import { DeviceModifyFlag, DomainXmlFlag } from '../libvirt/constants.js';
import type { DomainHandle, PoolHandle, VolumeHandle } from '../libvirt/structs.js';
import { diskDeviceXml } from '../libvirt/xml/device-xml.js';
import { readDomainXml, type DomainDisk } from '../libvirt/xml/domain-xml.js';
import { volumeXml } from '../libvirt/xml/storage-xml.js';
import { missing } from './lab-provisioner.js';

/**
 * Every step here checks before it acts, so running one again after a crash (the request is
 * replayed from the reconciler's checkpoint) finds its own earlier work and finishes it: a
 * volume is created once, attached once, and never left behind.
 */

/** The libvirt volume behind a Redfish Volume: named from its ids, so it is found again. */
export const backingVolumeName = (systemId: string, storageId: string, volumeId: string) => `${backingVolumePrefix(systemId, storageId)}${volumeId}.qcow2`;
export const backingVolumePrefix = (systemId: string, storageId: string) => `rfe-${systemId}-${storageId}-vol`;

export interface BackingVolume {
  readonly name: string;
  readonly capacityBytes: number;
  /** What the guest reads as the disk's serial: the Volume's durable name. */
  readonly serial: string;
}

export function findVolume(client: LibvirtClient, pool: PoolHandle, name: string): Promise<VolumeHandle | undefined> {
  return missing(client.volumeLookupByName(pool, name), (e) => e.isNoStorageVolume);
}

/** Creates the backing volume unless it is there with the right size already; returns its path. */
export async function ensureBackingVolume(client: LibvirtClient, pool: PoolHandle, volume: BackingVolume): Promise<string> {
  let handle = await findVolume(client, pool, volume.name);
  if (handle && (await client.volumeGetInfo(handle)).capacity !== BigInt(volume.capacityBytes)) {
    await client.volumeDelete(handle);
    handle = undefined;
  }
  handle ??= await client.volumeCreateXml(pool, volumeXml({ name: volume.name, capacityBytes: volume.capacityBytes, format: 'qcow2' }));
  return client.volumeGetPath(handle);
}

/** Deletes the backing volume if it is there. */
export async function removeBackingVolume(client: LibvirtClient, pool: PoolHandle, name: string): Promise<void> {
  const handle = await findVolume(client, pool, name);
  if (handle) await client.volumeDelete(handle);
}

/** The disks of a domain's XML, read once per call: parsing is what costs here. */
const disksOf = (xml: string): readonly DomainDisk[] => readDomainXml(xml).disks;
const diskOn = (disks: readonly DomainDisk[], path: string): DomainDisk | undefined => disks.find((d) => d.device === 'disk' && d.sourceFile === path);

/** The first virtio target name no definition uses: vda, vdb, … vdz, vdaa, … */
function freeTarget(...definitions: (readonly DomainDisk[])[]): string {
  const used = new Set(definitions.flatMap((disks) => disks.map((d) => d.targetDev)));
  for (let n = 0; ; n++) {
    const name = `vd${n < 26 ? '' : String.fromCharCode(97 + Math.floor(n / 26) - 1)}${String.fromCharCode(97 + (n % 26))}`;
    if (!used.has(name)) return name;
  }
}

/**
 * Attaches the file as a virtio disk with the volume's serial: to the persistent definition,
 * and to the running machine too when it runs (hot-plug), each unless it is there already.
 */
export async function attachDisk(client: LibvirtClient, domain: DomainHandle, path: string, serial: string): Promise<void> {
  const running = await client.domainIsActive(domain);
  const inactive = disksOf(await client.domainGetXml(domain, DomainXmlFlag.Inactive));
  const live = running ? disksOf(await client.domainGetXml(domain)) : inactive;
  const inDefinition = diskOn(inactive, path);
  const inMachine = running ? diskOn(live, path) : inDefinition;
  const targetDev = (inDefinition ?? inMachine)?.targetDev ?? freeTarget(inactive, live);
  const xml = diskDeviceXml({ sourceFile: path, format: 'qcow2', targetDev, bus: 'virtio', serial });
  const flags = (inDefinition ? 0 : DeviceModifyFlag.Config) | (running && !inMachine ? DeviceModifyFlag.Live : 0);
  if (flags !== 0) await client.domainAttachDevice(domain, xml, flags);
}

/**
 * Detaches the disk backed by `path` wherever it is attached. A running guest is asked to let
 * go (libvirt waits a few seconds for it); the definition loses it at once.
 */
export async function detachDisk(client: LibvirtClient, domain: DomainHandle, path: string): Promise<void> {
  const running = await client.domainIsActive(domain);
  const inactive = diskOn(disksOf(await client.domainGetXml(domain, DomainXmlFlag.Inactive)), path);
  const live = running ? diskOn(disksOf(await client.domainGetXml(domain)), path) : undefined;
  const disk = inactive ?? live;
  if (!disk?.targetDev) return;
  const flags = (inactive ? DeviceModifyFlag.Config : 0) | (live ? DeviceModifyFlag.Live : 0);
  await client.domainDetachDevice(domain, diskDeviceXml({ sourceFile: path, targetDev: disk.targetDev, bus: 'virtio' }), flags);
}
