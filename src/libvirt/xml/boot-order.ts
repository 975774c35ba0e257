import {
  buildDomainDocument,
  elementAt,
  elementChildren,
  parseDomainDocument,
  removeChildren,
} from './domain-document.js';
import { BOOT_DEVICES, type BootDevice } from './domain-xml.js';
import { InvalidSpecError, requireOneOf } from './spec-checks.js';

/** The device kinds that can carry a per-device `<boot order>`. */
const BOOTABLE_DEVICES = ['disk', 'interface', 'hostdev', 'redirdev', 'filesystem'];

/** Refuses a device libvirt does not know, or one named twice. */
export function requireBootDevices(devices: readonly BootDevice[]): readonly BootDevice[] {
  devices.forEach((dev, i) => requireOneOf(dev, BOOT_DEVICES, `boot device ${i + 1}`));
  if (new Set(devices).size !== devices.length)
    throw new InvalidSpecError(`a boot device is named twice in ${devices.join(', ')}`);
  return devices;
}

/**
 * The domain XML with `<os><boot dev>` set to `devices`, in order (an empty list leaves libvirt's
 * default, the first disk). Per-device `<boot order>` elements are removed: libvirt refuses a
 * domain that has both kinds.
 */
export function withBootOrder(domainXml: string, devices: readonly BootDevice[]): string {
  requireBootDevices(devices);
  const { document, domain } = parseDomainDocument(domainXml);
  const os = elementAt(domain, 'os');
  if (devices.length > 0) os['boot'] = devices.map((dev) => ({ $: { dev } }));
  else delete os['boot'];
  const deviceList = elementChildren(domain, 'devices');
  for (const kind of BOOTABLE_DEVICES)
    removeChildren(
      deviceList.flatMap((d) => elementChildren(d, kind)),
      'boot',
    );
  return buildDomainDocument(document);
}

/**
 * The domain XML booting first from the disk whose target is `targetDev`, then from its first
 * hard disk and its first network interface: per-device `<boot order>`, which is how one
 * particular CD-ROM drive is named (`<boot dev='cdrom'>` means whichever comes first), with the
 * `<os><boot dev>` entries libvirt refuses beside them removed.
 */
export function withDeviceFirst(domainXml: string, targetDev: string): string {
  const { document, domain } = parseDomainDocument(domainXml);
  delete elementAt(domain, 'os')['boot'];
  const deviceList = elementChildren(domain, 'devices');
  for (const kind of BOOTABLE_DEVICES)
    removeChildren(
      deviceList.flatMap((d) => elementChildren(d, kind)),
      'boot',
    );
  const disks = deviceList.flatMap((d) => elementChildren(d, 'disk'));
  const targetOf = (disk: (typeof disks)[number]) =>
    (elementChildren(disk, 'target')[0]?.['$'] as Record<string, string> | undefined)?.['dev'];
  const first = disks.find((disk) => targetOf(disk) === targetDev);
  if (!first) throw new InvalidSpecError(`the domain has no disk with target ${targetDev}`);
  const hardDisk = disks.find((disk) => (disk['$'] as Record<string, string> | undefined)?.['device'] === 'disk');
  const nic = deviceList.flatMap((d) => elementChildren(d, 'interface'))[0];
  [first, hardDisk, nic]
    .filter((device) => device !== undefined)
    .forEach((device, i) => (device!['boot'] = [{ $: { order: String(i + 1) } }]));
  return buildDomainDocument(document);
}
