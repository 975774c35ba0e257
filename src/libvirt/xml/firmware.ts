import { attr, child } from '../../xml.js';
import { buildDomainDocument, elementAt, parseDomainDocument } from './domain-document.js';
import { readDomainXml, type Firmware } from './domain-xml.js';
import { InvalidSpecError, requireOneOf } from './spec-checks.js';

export interface FirmwareOptions {
  /**
   * UEFI only: true asks libvirt for a Secure Boot OVMF with Microsoft's keys enrolled, false for
   * one without; undefined leaves the choice to libvirt (and keeps a domain that is already
   * UEFI as it is).
   */
  readonly secureBoot?: boolean;
}

/**
 * The domain XML switched to BIOS (SeaBIOS) or UEFI (OVMF). UEFI is asked for by name
 * (`<os firmware='efi'>`) so libvirt picks the firmware files itself from the installed
 * descriptors when the domain starts; any loader or NVRAM the domain named is dropped, since it
 * belonged to the other firmware. An existing NVRAM file stays on disk: starting with libvirt's
 * reset-NVRAM flag, or undefining with the NVRAM flag, clears it.
 *
 * Secure Boot needs SMM, which QEMU offers only on the q35 machine; asking for it on another
 * machine is refused here rather than when the domain next starts.
 */
export function withFirmware(domainXml: string, firmware: Firmware, options: FirmwareOptions = {}): string {
  requireOneOf(firmware, ['BIOS', 'UEFI'], 'firmware');
  const { secureBoot } = options;
  if (firmware === 'BIOS' && secureBoot) throw new InvalidSpecError('Secure Boot needs UEFI firmware');
  const current = readDomainXml(domainXml);
  const { document, domain } = parseDomainDocument(domainXml);
  if (
    firmware === 'UEFI' &&
    current.firmware === 'UEFI' &&
    (secureBoot === undefined || secureBoot === current.secureBoot)
  ) {
    return buildDomainDocument(document);
  }
  const os = elementAt(domain, 'os');
  delete os['loader'];
  delete os['nvram'];
  delete os['firmware'];
  if (firmware === 'BIOS') {
    const { firmware: _named, ...rest } = os.$ ?? {};
    if (Object.keys(rest).length > 0) os.$ = rest;
    else delete os.$;
    return buildDomainDocument(document);
  }
  os.$ = { ...os.$, firmware: 'efi' };
  if (secureBoot === true) {
    const machine = attr(child(os, 'type'), 'machine') ?? '';
    if (!/q35/.test(machine))
      throw new InvalidSpecError(
        `Secure Boot needs the q35 machine (for SMM); this domain's machine is '${machine || 'the default'}'`,
      );
    os['firmware'] = [
      { feature: [{ $: { enabled: 'yes', name: 'enrolled-keys' } }, { $: { enabled: 'yes', name: 'secure-boot' } }] },
    ];
    elementAt(domain, 'features')['smm'] = [{ $: { state: 'on' } }];
  } else if (secureBoot === false) {
    os['firmware'] = [{ feature: [{ $: { enabled: 'no', name: 'secure-boot' } }] }];
  }
  return buildDomainDocument(document);
}
