import { join } from 'node:path';
import type { Hypervisor } from '../libvirt/hypervisor.js';
import { DeviceModifyFlag, DomainXmlFlag } from '../libvirt/constants.js';
import type { DomainHandle } from '../libvirt/structs.js';
import { cdromDeviceXml } from '../libvirt/xml/device-xml.js';
import { readDomainXml } from '../libvirt/xml/domain-xml.js';
import { withDeviceFirst } from '../libvirt/xml/boot-order.js';

/**
 * UEFI HTTP boot with an HttpBootUri, as the lab carries it out: the image is fetched by the
 * emulator (as the firmware would) and put in a CD-ROM drive of its own that the next boot
 * starts from, so the virtual media drive stays the client's.
 */
export const HTTP_BOOT_TARGET = 'sdh';

/** The file a system's HTTP boot image is kept in, inside the lab's pool directory. */
export const httpBootFile = (dir: string, systemId: string) => join(dir, `rfe-httpboot-${systemId}.iso`);

/** Puts `file` in the domain's HTTP boot drive and boots from it first; undefined removes the drive. */
export async function setHttpBootImage(
  client: Hypervisor,
  domain: DomainHandle,
  file: string | undefined,
): Promise<void> {
  const definition = await client.domainGetXml(domain, DomainXmlFlag.Inactive);
  const present = readDomainXml(definition).disks.some((d) => d.targetDev === HTTP_BOOT_TARGET);
  if (file === undefined) {
    if (present)
      await client.domainDetachDevice(
        domain,
        cdromDeviceXml({ targetDev: HTTP_BOOT_TARGET, bus: 'sata' }),
        DeviceModifyFlag.Config,
      );
    return;
  }
  const drive = cdromDeviceXml({ sourceFile: file, targetDev: HTTP_BOOT_TARGET, bus: 'sata' });
  if (present) await client.domainUpdateDevice(domain, drive, DeviceModifyFlag.Config);
  else await client.domainAttachDevice(domain, drive, DeviceModifyFlag.Config);
  await client.domainDefineXml(
    withDeviceFirst(await client.domainGetXml(domain, DomainXmlFlag.Inactive), HTTP_BOOT_TARGET),
  );
}
