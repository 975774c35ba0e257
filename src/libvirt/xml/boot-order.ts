import { buildDomainDocument, elementAt, elementChildren, parseDomainDocument, removeChildren } from './domain-document.js';
import { BOOT_DEVICES, type BootDevice } from './domain-xml.js';
import { InvalidSpecError, requireOneOf } from './spec-checks.js';

/** The device kinds that can carry a per-device `<boot order>`. */
const BOOTABLE_DEVICES = ['disk', 'interface', 'hostdev', 'redirdev', 'filesystem'];

/** Refuses a device libvirt does not know, or one named twice. */
export function requireBootDevices(devices: readonly BootDevice[]): readonly BootDevice[] {
  devices.forEach((dev, i) => requireOneOf(dev, BOOT_DEVICES, `boot device ${i + 1}`));
  if (new Set(devices).size !== devices.length) throw new InvalidSpecError(`a boot device is named twice in ${devices.join(', ')}`);
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
  for (const kind of BOOTABLE_DEVICES) removeChildren(deviceList.flatMap((d) => elementChildren(d, kind)), 'boot');
  return buildDomainDocument(document);
}
