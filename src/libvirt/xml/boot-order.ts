import { buildXml, child, children, parseXml, XmlShapeError, type XmlNode } from '../../xml.js';
import type { BootDevice } from './domain-xml.js';

/**
 * The domain XML with `<os><boot dev>` set to `devices`, in order. Per-device `<boot order>`
 * elements are removed: libvirt refuses a domain that has both kinds.
 */
export function withBootOrder(domainXml: string, devices: readonly BootDevice[]): string {
  const parsed = parseXml(domainXml);
  const domain = parsed['domain'];
  const os = child(domain, 'os');
  if (!domain || !os) throw new XmlShapeError('not a libvirt domain with an <os> element');
  os['boot'] = devices.map((dev) => ({ $: { dev } }));
  const deviceList = child(domain, 'devices');
  for (const kind of ['disk', 'interface', 'hostdev', 'redirdev']) {
    for (const device of children(deviceList, kind)) delete (device as XmlNode)['boot'];
  }
  return buildXml(parsed);
}
