import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readDomainXml, type DomainDescription } from '../../src/libvirt/xml/domain-xml.js';
import { withBootOrder } from '../../src/libvirt/xml/boot-order.js';
import { withFirmware } from '../../src/libvirt/xml/firmware.js';
import {
  readSettings,
  SETTINGS_NAMESPACE,
  settingsFromMetadataXml,
  settingsMetadataXml,
  withSettings,
  type EmulatorSettings,
} from '../../src/libvirt/xml/settings-metadata.js';
import { InvalidSpecError } from '../../src/libvirt/xml/spec-checks.js';
import { parseXml, XmlShapeError, type XmlNode } from '../../src/xml.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** What an edit must leave alone: everything the reader sees except the edited parts. */
function untouched(d: DomainDescription) {
  const { bootDevices: _b, perDeviceBoot: _p, firmware: _f, secureBoot: _s, settings: _m, ...rest } = d;
  return {
    ...rest,
    disks: d.disks.map(({ bootOrder: _o, ...disk }) => disk),
    nics: d.nics.map(({ bootOrder: _o, ...nic }) => nic),
  };
}

/** The element names under `<devices>`, with how many of each: an edit must not lose one. */
function deviceCounts(xml: string): Record<string, number> {
  const devices = (parseXml(xml)['domain']!['devices'] as XmlNode[])[0]!;
  return Object.fromEntries(Object.entries(devices).map(([name, list]) => [name, (list as unknown[]).length]));
}

describe('setting the boot order', () => {
  const perDevice = fixture('qemu-bios-devices.xml');

  it('writes <os><boot dev> entries and drops the per-device orders libvirt refuses beside them', () => {
    const before = readDomainXml(perDevice);
    expect(before.perDeviceBoot).toHaveLength(3);
    const edited = withBootOrder(perDevice, ['cdrom', 'network', 'hd']);
    const after = readDomainXml(edited);
    expect(after.bootDevices).toEqual(['cdrom', 'network', 'hd']);
    expect(after.perDeviceBoot).toEqual([]);
    expect(
      after.disks.every((d) => d.bootOrder === undefined) && after.nics.every((n) => n.bootOrder === undefined),
    ).toBe(true);
    expect(untouched(after)).toEqual(untouched(before));
    expect(deviceCounts(edited)).toEqual(deviceCounts(perDevice));
    expect(edited).not.toMatch(/<boot order/);
  });

  it("replaces an existing order, and an empty list leaves libvirt's default", () => {
    const uefi = fixture('qemu-uefi-domain.xml');
    expect(readDomainXml(withBootOrder(uefi, ['fd'])).bootDevices).toEqual(['fd']);
    const none = withBootOrder(uefi, []);
    expect(readDomainXml(none).bootDevices).toEqual([]);
    expect(readDomainXml(none).firmware).toBe('UEFI');
  });

  it('refuses devices libvirt does not know, or one named twice', () => {
    const xml = fixture('test-driver-domain.xml');
    expect(() => withBootOrder(xml, ['usb' as 'hd'])).toThrow(InvalidSpecError);
    expect(() => withBootOrder(xml, ['usb' as 'hd'])).toThrow(
      /boot device 1 must be one of hd, cdrom, network, fd, not 'usb'/,
    );
    expect(() => withBootOrder(xml, ['hd', 'hd'])).toThrow(/named twice/);
    expect(() => withBootOrder('<network/>', ['hd'])).toThrow(XmlShapeError);
  });
});

describe('setting the firmware', () => {
  it('switches a BIOS domain to UEFI by name, and back, keeping everything else', () => {
    const bios = fixture('qemu-bios-devices.xml');
    const uefi = withFirmware(bios, 'UEFI');
    expect(parseXml(uefi)['domain']!['os']).toEqual([expect.objectContaining({ $: { firmware: 'efi' } })]);
    expect(readDomainXml(uefi)).toMatchObject({ firmware: 'UEFI', secureBoot: false });
    const back = withFirmware(uefi, 'BIOS');
    expect(readDomainXml(back).firmware).toBe('BIOS');
    expect(back).not.toMatch(/firmware=/);
    expect(untouched(readDomainXml(back))).toEqual(untouched(readDomainXml(bios)));
    expect(deviceCounts(back)).toEqual(deviceCounts(bios));
  });

  it('drops the OVMF loader and NVRAM that belonged to UEFI when going to BIOS', () => {
    const xml = withFirmware(fixture('qemu-uefi-domain.xml'), 'BIOS');
    expect(readDomainXml(xml).firmware).toBe('BIOS');
    expect(xml).not.toMatch(/<loader|<nvram|OVMF/);
    expect(readDomainXml(xml).bootDevices).toEqual(['network', 'hd']);
  });

  it('leaves a domain already in UEFI as it is, loader included', () => {
    const xml = withFirmware(fixture('qemu-uefi-domain.xml'), 'UEFI');
    expect(xml).toContain('/usr/share/OVMF/OVMF_CODE_4M.fd');
  });

  it('asks for Secure Boot on q35 (with SMM), refuses it elsewhere, and turns it off', () => {
    const q35 = withFirmware(fixture('qemu-uefi-secure-metadata.xml'), 'UEFI', { secureBoot: false });
    expect(readDomainXml(q35)).toMatchObject({ firmware: 'UEFI', secureBoot: false });
    const secure = withFirmware(q35, 'UEFI', { secureBoot: true });
    expect(readDomainXml(secure)).toMatchObject({ firmware: 'UEFI', secureBoot: true });
    expect(secure).toMatch(/<smm state="on"\/>/);
    expect(() => withFirmware(fixture('qemu-bios-devices.xml'), 'UEFI', { secureBoot: true })).toThrow(
      /Secure Boot needs the q35 machine.*pc-i440fx-7.2/,
    );
    expect(() => withFirmware(q35, 'BIOS', { secureBoot: true })).toThrow(/needs UEFI/);
    expect(() => withFirmware(q35, 'CSM' as 'BIOS')).toThrow(InvalidSpecError);
  });
});

describe("the emulator's settings metadata", () => {
  const settings: EmulatorSettings = {
    biosAttributes: { BootMode: 'Uefi', ProcCores: 4, HyperThreading: true, Empty: '', Spaces: '  ' },
    pendingBiosAttributes: { BootMode: 'Bios', Ratio: -1.5 },
    bootOverride: { target: 'Pxe', enabled: 'Continuous', mode: 'Legacy' },
  };

  it('stores settings as typed values and reads them back', () => {
    const xml = withSettings(fixture('test-driver-domain.xml'), settings);
    expect(readDomainXml(xml).settings).toEqual(settings);
    expect(xml).toContain(`<rfe:settings xmlns:rfe="${SETTINGS_NAMESPACE}">`);
    expect(xml).toContain('<rfe:attribute name="ProcCores" type="number" value="4"/>');
    expect(xml).toContain('<rfe:boot-override target="Pxe" enabled="Continuous" mode="Legacy"/>');
  });

  it('tells an empty attribute set from none', () => {
    expect(readDomainXml(withSettings(fixture('test-driver-domain.xml'), { biosAttributes: {} })).settings).toEqual({
      biosAttributes: {},
    });
    expect(readDomainXml(withSettings(fixture('test-driver-domain.xml'), {})).settings).toEqual({});
  });

  it('replaces its own block, keeps other metadata, and leaves the rest of the domain intact', () => {
    const original = fixture('qemu-uefi-secure-metadata.xml');
    const edited = withSettings(original, { bootOverride: { target: 'Hdd', enabled: 'Disabled' } });
    expect(readDomainXml(edited).settings).toEqual({ bootOverride: { target: 'Hdd', enabled: 'Disabled' } });
    expect(edited.match(new RegExp(SETTINGS_NAMESPACE, 'g'))).toHaveLength(1);
    const other = (parseXml(edited)['domain']!['metadata'] as XmlNode[])[0]!['other:note'] as XmlNode[];
    expect(other).toHaveLength(1);
    expect(other[0]!.$).toEqual({ 'xmlns:other': 'urn:example:other' });
    expect(other[0]!._).toBe('keep me ');
    // A second edit changes nothing more: no whitespace creeps into mixed content.
    expect(withSettings(edited, { bootOverride: { target: 'Hdd', enabled: 'Disabled' } })).toBe(edited);
    expect(other[0]!['other:x']).toEqual([{ $: { a: '1' } }]);
    const before = readDomainXml(original);
    const after = readDomainXml(edited);
    expect({ ...after, settings: undefined }).toEqual({ ...before, settings: undefined });
    expect(deviceCounts(edited)).toEqual(deviceCounts(original));
  });

  it('adds <metadata> where there was none, or an empty one', () => {
    const bare = fixture('qemu-bios-devices.xml');
    expect(readDomainXml(withSettings(bare, settings)).settings).toEqual(settings);
    const empty = bare.replace('</uuid>', '</uuid><metadata/>');
    expect(readDomainXml(withSettings(empty, settings)).settings).toEqual(settings);
  });

  it('reads the block under another prefix or the default namespace, not under another namespace', () => {
    const inMetadata = (inner: string) => parseXml(`<metadata>${inner}</metadata>`)['metadata'] as XmlNode;
    expect(
      readSettings(
        inMetadata(
          `<x:settings xmlns:x="${SETTINGS_NAMESPACE}"><x:bios><x:attribute name="A" type="number" value="2"/></x:bios></x:settings>`,
        ),
      ),
    ).toEqual({ biosAttributes: { A: 2 } });
    expect(readSettings(inMetadata(`<settings xmlns="${SETTINGS_NAMESPACE}"><bios/></settings>`))).toEqual({
      biosAttributes: {},
    });
    expect(
      readSettings(inMetadata('<rfe:settings xmlns:rfe="urn:someone-else"><rfe:bios/></rfe:settings>')),
    ).toBeUndefined();
  });

  it('reads the JSON text the first version stored', () => {
    const legacy = fixture('test-driver-domain.xml').replace(
      '</domain>',
      `<metadata><rfe:settings xmlns:rfe="${SETTINGS_NAMESPACE}">{"biosAttributes":{"BootRetryCount":5},"bootOverride":{"target":"Cd","enabled":"Once"}}</rfe:settings></metadata></domain>`,
    );
    expect(readDomainXml(legacy).settings).toEqual({
      biosAttributes: { BootRetryCount: 5 },
      bootOverride: { target: 'Cd', enabled: 'Once' },
    });
    expect(() => readDomainXml(legacy.replace('{"bios', '{bios'))).toThrow(
      /settings metadata: neither settings elements nor valid JSON/,
    );
  });

  it('gives a clear error for a block that does not hold settings', () => {
    const withBlock = (inner: string) =>
      fixture('test-driver-domain.xml').replace(
        '</domain>',
        `<metadata><rfe:settings xmlns:rfe="${SETTINGS_NAMESPACE}">${inner}</rfe:settings></metadata></domain>`,
      );
    expect(() =>
      readDomainXml(withBlock('<rfe:bios><rfe:attribute name="A" type="number" value="many"/></rfe:bios>')),
    ).toThrow(/attribute A is not a number: 'many'/);
    expect(() =>
      readDomainXml(withBlock('<rfe:bios><rfe:attribute name="A" type="boolean" value="yes"/></rfe:bios>')),
    ).toThrow(/attribute A is not true or false/);
    expect(() =>
      readDomainXml(withBlock('<rfe:bios><rfe:attribute name="A" type="date" value="x"/></rfe:bios>')),
    ).toThrow(/type 'date'/);
    expect(() => readDomainXml(withBlock('<rfe:bios><rfe:attribute type="string" value="x"/></rfe:bios>'))).toThrow(
      /has no name/,
    );
    expect(() => readDomainXml(withBlock('<rfe:boot-override target="Pxe" enabled="Sometimes"/>'))).toThrow(
      /bootOverride.enabled must be one of Once, Continuous, Disabled/,
    );
    expect(() => readDomainXml(withBlock('<rfe:boot-override enabled="Once"/>'))).toThrow(/bootOverride.target/);
  });

  it('refuses to write what the block cannot carry', () => {
    const xml = fixture('test-driver-domain.xml');
    expect(() => withSettings(xml, { biosAttributes: { A: Number.NaN } })).toThrow(
      /biosAttributes.A must be a string, a finite number or a boolean/,
    );
    expect(() => withSettings(xml, { biosAttributes: { A: null as unknown as string } })).toThrow(XmlShapeError);
    expect(() => withSettings(xml, { bootOverride: { target: 'Pxe', enabled: 'Always' as 'Once' } })).toThrow(
      /bootOverride.enabled/,
    );
    expect(() =>
      withSettings(xml, { bootOverride: { target: 'Pxe', enabled: 'Once', mode: 'EFI' as 'UEFI' } }),
    ).toThrow(/bootOverride.mode/);
  });

  it('writes and reads the element alone, as virDomainSetMetadata and GetMetadata carry it', () => {
    const alone = settingsMetadataXml(settings);
    expect(alone.startsWith('<settings>')).toBe(true);
    expect(alone).not.toContain('rfe:');
    expect(settingsFromMetadataXml(alone)).toEqual(settings);
    expect(() => settingsFromMetadataXml('<bios/>')).toThrow(/not <settings>/);
  });
});
