import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirPoolXml, readPoolXml, readVolumeXml, volumeXml } from '../../src/libvirt/xml/storage-xml.js';
import { cdromDeviceXml, diskDeviceXml, floppyDeviceXml } from '../../src/libvirt/xml/device-xml.js';
import { demoDomainXml } from '../../src/libvirt/xml/demo-domain-xml.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { withBootOrder } from '../../src/libvirt/xml/boot-order.js';
import { withFirmware } from '../../src/libvirt/xml/firmware.js';
import { settingsFromMetadataXml, settingsMetadataXml, withSettings } from '../../src/libvirt/xml/settings-metadata.js';
import { parseXml } from '../../src/xml.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** Values that would end an attribute, open an element, close a CDATA section or start a comment if pasted into XML. */
const HOSTILE = [
  `a"/><x y='1'>`,
  ']]>',
  '&',
  '&amp;',
  '<!-- c -->',
  '<![CDATA[x]]>',
  `'"`,
  '&#x41;',
  '</name><name>evil',
  'é中🙂 tab\there',
];
const UUID = '00000000-0000-4000-8000-0000000000e5';

/** The document's structure with every value blanked: element names, attribute names, counts. */
function shape(value: unknown): unknown {
  if (typeof value === 'string') return '·';
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  return value;
}

/** A hostile value must leave the same structure as a benign one: no element or attribute injected. */
function expectSameShape(write: (value: string) => string, hostile: string): void {
  expect(shape(parseXml(write(hostile)))).toEqual(shape(parseXml(write('benign'))));
}

describe.each(HOSTILE)('a hostile value %j', (value) => {
  it('stays a value in a volume and a pool', () => {
    expectSameShape((v) => volumeXml({ name: v, capacityBytes: 1 }), value);
    expect(readVolumeXml(volumeXml({ name: value, capacityBytes: 1 })).name).toBe(value);
    expectSameShape((v) => dirPoolXml(v, `/srv/${v}`), value);
    expect(readPoolXml(dirPoolXml(value, `/srv/${value}`))).toMatchObject({ name: value, path: `/srv/${value}` });
  });

  it('stays a value in disk, CD-ROM and floppy devices', () => {
    expectSameShape((v) => diskDeviceXml({ sourceFile: `/p/${v}`, targetDev: 'vdb', serial: v }), value);
    const disk = readDomainXml(
      `<domain><name>n</name><uuid>${UUID}</uuid><memory>1</memory><devices>${diskDeviceXml({ sourceFile: `/p/${value}`, targetDev: 'vdb', serial: value })}</devices></domain>`,
    ).disks[0]!;
    expect([disk.sourceFile, disk.serial]).toEqual([`/p/${value}`, value]);
    expectSameShape((v) => cdromDeviceXml({ sourceFile: v, targetDev: 'sda' }), value);
    expectSameShape((v) => floppyDeviceXml({ sourceFile: v, targetDev: 'fda' }), value);
  });

  it("stays a value as a demo domain's name and emulator", () => {
    const spec = { uuid: UUID, memoryMiB: 64, vcpus: 1, mac: '52:54:00:00:00:e5' };
    expectSameShape((v) => demoDomainXml({ ...spec, name: v, emulator: v }), value);
    expect(readDomainXml(demoDomainXml({ ...spec, name: value })).name).toBe(value);
  });

  it('stays a value in the settings metadata, as attribute name, value and boot target', () => {
    const settings = {
      biosAttributes: { [value]: value },
      pendingBiosAttributes: { [value]: value },
      bootOverride: { target: value, enabled: 'Once' as const },
    };
    const base = fixture('test-driver-domain.xml');
    expectSameShape(
      (v) =>
        withSettings(base, {
          biosAttributes: { [v]: v },
          pendingBiosAttributes: { [v]: v },
          bootOverride: { target: v, enabled: 'Once' },
        }),
      value,
    );
    expect(readDomainXml(withSettings(base, settings)).settings).toEqual(settings);
    expect(settingsFromMetadataXml(settingsMetadataXml(settings))).toEqual(settings);
  });

  it('survives every edit of a domain that already holds it', () => {
    const named = readDomainXml(
      demoDomainXml({ name: value, uuid: UUID, memoryMiB: 64, vcpus: 1, mac: '52:54:00:00:00:e5' }),
    );
    const edited = withFirmware(
      withBootOrder(
        withSettings(demoDomainXml({ name: value, uuid: UUID, memoryMiB: 64, vcpus: 1, mac: '52:54:00:00:00:e5' }), {}),
        ['cdrom'],
      ),
      'UEFI',
    );
    expect(readDomainXml(edited)).toMatchObject({ name: named.name, bootDevices: ['cdrom'], firmware: 'UEFI' });
  });
});

describe('values XML cannot carry at all', () => {
  it('are refused with an error, not written', () => {
    expect(() => volumeXml({ name: 'a\u0001b', capacityBytes: 1 })).toThrow(/Invalid character/);
    expect(() => diskDeviceXml({ sourceFile: '/p', targetDev: 'vdb', serial: 'x\u0000' })).toThrow(/Invalid character/);
    expect(() => withSettings(fixture('test-driver-domain.xml'), { biosAttributes: { A: '\u001b[31m' } })).toThrow(
      /Invalid character/,
    );
  });
});
