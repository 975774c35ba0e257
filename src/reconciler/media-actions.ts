import { join } from 'node:path';
import type { Hypervisor } from '../libvirt/hypervisor.js';
import { DeviceModifyFlag, DomainXmlFlag } from '../libvirt/constants.js';
import type { DomainHandle } from '../libvirt/structs.js';
import { cdromDeviceXml, floppyDeviceXml } from '../libvirt/xml/device-xml.js';
import type { MediaDevice } from '../domain/system/system-events.js';
import { readDomainXml } from '../libvirt/xml/domain-xml.js';

/** The file a system's virtual media image is kept in, inside the lab's pool directory. */
export const mediaFile = (dir: string, systemId: string, device: MediaDevice) =>
  join(dir, `rfe-media-${systemId}-${device.toLowerCase()}.${device === 'Floppy' ? 'img' : 'iso'}`);

/** Where the password of an insert request is kept (EventStore.saveSecret), by its event's position. */
export const mediaPasswordKey = (position: number) => `media-password:${position}`;

/** The libvirt disk device behind each virtual media device. */
const DRIVES = {
  Cd: { device: 'cdrom', xml: cdromDeviceXml, bus: 'sata', targetDev: 'sda' },
  Floppy: { device: 'floppy', xml: floppyDeviceXml, bus: 'fdc', targetDev: 'fda' },
} as const;

/**
 * Puts `file` into the domain's CD-ROM or floppy drive (or empties it when undefined): in the
 * persistent definition, and in the running machine too when it has the drive. A domain with no
 * such drive is given one in its definition (neither can be hot-plugged on the emulated boards):
 * it is there from the next boot, which is when a BMC's virtual media is booted from anyway.
 */
export async function setMedia(
  client: Hypervisor,
  domain: DomainHandle,
  device: MediaDevice,
  file: string | undefined,
): Promise<void> {
  const kind = DRIVES[device];
  const running = await client.domainIsActive(domain);
  const inDefinition = readDomainXml(await client.domainGetXml(domain, DomainXmlFlag.Inactive)).disks.find(
    (d) => d.device === kind.device,
  );
  if (!inDefinition?.targetDev) {
    if (file !== undefined)
      await client.domainAttachDevice(
        domain,
        kind.xml({ sourceFile: file, targetDev: kind.targetDev, bus: kind.bus }),
        DeviceModifyFlag.Config,
      );
    return;
  }
  const xml = kind.xml({
    sourceFile: file,
    targetDev: inDefinition.targetDev,
    bus: inDefinition.targetBus ?? kind.bus,
  });
  const live =
    running &&
    readDomainXml(await client.domainGetXml(domain)).disks.some(
      (d) => d.device === kind.device && d.targetDev === inDefinition.targetDev,
    );
  await client.domainUpdateDevice(domain, xml, DeviceModifyFlag.Config | (live ? DeviceModifyFlag.Live : 0));
}
