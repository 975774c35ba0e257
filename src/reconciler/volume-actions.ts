import type { Hypervisor } from '../libvirt/hypervisor.js';
import { DeviceModifyFlag, DomainXmlFlag } from '../libvirt/constants.js';
import type { DomainHandle, PoolHandle, VolumeHandle } from '../libvirt/structs.js';
import { diskDeviceXml, scsiControllerXml, type DiskBus } from '../libvirt/xml/device-xml.js';
import { readDomainXml, type DomainDescription, type DomainDisk } from '../libvirt/xml/domain-xml.js';
import { volumeXml } from '../libvirt/xml/storage-xml.js';
import { LibvirtError, missing } from '../libvirt/errors.js';
import { basename } from 'node:path';
import { volumeSlot, type VolumeSlot } from './volume-slot.js';

/**
 * Every step here checks before it acts, so running one again after a crash (the request is
 * replayed from the reconciler's checkpoint) finds its own earlier work and finishes it: a
 * volume is created once, attached once, and never left behind.
 */

export interface BackingVolume {
  readonly name: string;
  readonly capacityBytes: number;
  /** What the guest reads as the disk's serial: the Volume's durable name. */
  readonly serial: string;
}

export function findVolume(client: Hypervisor, pool: PoolHandle, name: string): Promise<VolumeHandle | undefined> {
  return missing(client.volumeLookupByName(pool, name), (e) => e.isNoStorageVolume);
}

/**
 * Makes the volume's backing file and returns its path. A file of that name already in the pool
 * is kept only when it is this volume's own earlier work: attached to the domain with this
 * volume's serial (which names the request that made it) and of its size. Anything else (a file
 * left by an earlier store, another volume of the same number, a create cut short before its
 * attach) may hold someone's data, so it is detached and made anew: a new volume reads as zeros.
 */
export async function ensureBackingVolume(
  client: Hypervisor,
  pool: PoolHandle,
  domain: DomainHandle,
  volume: BackingVolume,
): Promise<string> {
  const handle = await findVolume(client, pool, volume.name);
  if (handle) {
    const path = await client.volumeGetPath(handle);
    const { running, inactive, live } = await definitions(client, domain);
    const attached = [...inactive.disks, ...(running ? live.disks : [])].filter((d) => d.sourceFile === path);
    const own = attached.length > 0 && attached.every((d) => d.serial === volume.serial);
    if (own && (await client.volumeGetInfo(handle)).capacity === BigInt(volume.capacityBytes)) return path;
    await detachDisk(client, domain, path);
    await client.volumeDelete(handle);
  }
  return client.volumeGetPath(
    await client.volumeCreateXml(
      pool,
      volumeXml({ name: volume.name, capacityBytes: volume.capacityBytes, format: 'qcow2' }),
    ),
  );
}

/** Deletes the backing volume if it is there. */
export async function removeBackingVolume(client: Hypervisor, pool: PoolHandle, name: string): Promise<void> {
  const handle = await findVolume(client, pool, name);
  if (handle) await client.volumeDelete(handle);
}

/** The domain's XML read once per call (parsing is what costs here), persistent and live. */
async function definitions(
  client: Hypervisor,
  domain: DomainHandle,
): Promise<{ running: boolean; inactive: DomainDescription; live: DomainDescription }> {
  const running = await client.domainIsActive(domain);
  const inactive = readDomainXml(await client.domainGetXml(domain, DomainXmlFlag.Inactive));
  return { running, inactive, live: running ? readDomainXml(await client.domainGetXml(domain)) : inactive };
}

const diskOn = (disks: readonly DomainDisk[], path: string): DomainDisk | undefined =>
  disks.find((d) => d.device === 'disk' && d.sourceFile === path);
const hasScsiController = (domain: DomainDescription, index: number) =>
  domain.controllers.some((c) => c.type === 'scsi' && c.index === index);

/**
 * Attaches the file as a SCSI disk with the volume's serial on the storage controller's SCSI
 * controller (see volumeSlot): to the persistent definition, and to the running machine too
 * when it runs (hot-plug), each unless it is there already. The SCSI controller is added first
 * where it is missing (a domain defined before volumes went on SCSI, or adopted). A disk already
 * attached in one place keeps its target and address in the other.
 */
export function attachDisk(
  client: Hypervisor,
  domain: DomainHandle,
  path: string,
  serial: string,
  controller: number,
): Promise<void> {
  return whileSettled(client, domain, () => attachDiskOnce(client, domain, path, serial, controller));
}

/** libvirt's words when QEMU went away under a live change: the domain is on its way down. */
const QEMU_GONE = /Unable to (read from|write to) monitor|Broken pipe|Connection reset by peer/;

/**
 * Runs a change planned on whether the domain runs, and runs it again (planned afresh) when the
 * domain started or stopped in between, as a reset beside the request makes it do: libvirt then
 * refuses the live half ("domain is not running"), and the change left half made would leave a
 * disk in the definition that no volume owns. Every change checks before it acts, so a second
 * run does only what is left. When QEMU was killed under the change (a ForceOff), libvirt may
 * still call the domain running for a moment: it is given `settleMs` to say it stopped.
 */
export async function whileSettled(
  client: Pick<Hypervisor, 'domainIsActive'>,
  domain: DomainHandle,
  change: () => Promise<void>,
  settleMs = 3000,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const running = await client.domainIsActive(domain);
    try {
      return await change();
    } catch (err) {
      if (attempt >= 3 || !(err instanceof LibvirtError)) throw err;
      const changed =
        running && QEMU_GONE.test(err.message)
          ? await stopsWithin(client, domain, settleMs)
          : (await client.domainIsActive(domain)) !== running;
      if (!changed) throw err;
    }
  }
}

/** Whether libvirt says the domain stopped within `ms`, asked every 100 ms. */
async function stopsWithin(
  client: Pick<Hypervisor, 'domainIsActive'>,
  domain: DomainHandle,
  ms: number,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!(await client.domainIsActive(domain))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function attachDiskOnce(
  client: Hypervisor,
  domain: DomainHandle,
  path: string,
  serial: string,
  controller: number,
): Promise<void> {
  const { running, inactive, live } = await definitions(client, domain);
  const inDefinition = diskOn(inactive.disks, path);
  const inMachine = running ? diskOn(live.disks, path) : inDefinition;
  if (inDefinition && inMachine) return;
  const controllerFlags =
    (hasScsiController(inactive, controller) ? 0 : DeviceModifyFlag.Config) |
    (running && !hasScsiController(live, controller) ? DeviceModifyFlag.Live : 0);
  if (controllerFlags !== 0) await client.domainAttachDevice(domain, scsiControllerXml(controller), controllerFlags);
  const placed = inDefinition ?? inMachine;
  const xml = placed?.targetDev
    ? diskDeviceXml({
        sourceFile: path,
        format: 'qcow2',
        targetDev: placed.targetDev,
        bus: busOf(placed),
        serial,
        ...(placed.driveAddress && {
          scsiAddress: { controller: placed.driveAddress.controller, unit: placed.driveAddress.unit },
        }),
      })
    : slotDiskXml(path, serial, volumeSlot(controller, inactive.disks, live.disks));
  await client.domainAttachDevice(
    domain,
    xml,
    (inDefinition ? 0 : DeviceModifyFlag.Config) | (running && !inMachine ? DeviceModifyFlag.Live : 0),
  );
}

const slotDiskXml = (path: string, serial: string, slot: VolumeSlot) =>
  diskDeviceXml({
    sourceFile: path,
    format: 'qcow2',
    targetDev: slot.targetDev,
    bus: 'scsi',
    serial,
    scsiAddress: { controller: slot.controller, unit: slot.unit },
  });

/** A volume's disk is on SCSI, or on virtio when it was attached before volumes went on SCSI. */
const busOf = (disk: DomainDisk): DiskBus => (disk.targetBus === 'virtio' ? 'virtio' : 'scsi');

/**
 * Detaches the disk backed by `path` wherever it is attached, by its own target and bus (virtio
 * for volumes attached before they went on SCSI). A running guest is asked to let go (libvirt
 * waits a few seconds for a PCI disk); the definition loses it at once.
 */
export function detachDisk(client: Hypervisor, domain: DomainHandle, path: string): Promise<void> {
  return whileSettled(client, domain, async () => {
    const { running, inactive, live } = await definitions(client, domain);
    const inDefinition = diskOn(inactive.disks, path);
    const inMachine = running ? diskOn(live.disks, path) : undefined;
    const disk = inDefinition ?? inMachine;
    if (!disk?.targetDev) return;
    const flags = (inDefinition ? DeviceModifyFlag.Config : 0) | (inMachine ? DeviceModifyFlag.Live : 0);
    await client.domainDetachDevice(
      domain,
      diskDeviceXml({ sourceFile: path, targetDev: disk.targetDev, bus: busOf(disk) }),
      flags,
    );
  });
}

/**
 * Detaches the disk whose file is called `name`, wherever that file is: for a backing volume
 * already gone from the pool (deleted behind the emulator's back, or by a step cut short), whose
 * path libvirt can no longer give.
 */
export async function detachDiskNamed(client: Hypervisor, domain: DomainHandle, name: string): Promise<void> {
  const { inactive, live } = await definitions(client, domain);
  const disk = [...inactive.disks, ...live.disks].find(
    (d) => d.device === 'disk' && d.sourceFile !== undefined && basename(d.sourceFile) === name,
  );
  if (disk?.sourceFile) await detachDisk(client, domain, disk.sourceFile);
}
