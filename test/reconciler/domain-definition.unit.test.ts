import { describe, expect, it } from 'vitest';
import { systemDecider, type SystemState } from '../../src/domain/system/system-decider.js';
import type { SystemEvent } from '../../src/domain/system/system-events.js';
import { demoDomainXml } from '../../src/libvirt/xml/demo-domain-xml.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { withDeviceFirst } from '../../src/libvirt/xml/boot-order.js';
import { withSettings } from '../../src/libvirt/xml/settings-metadata.js';
import { convergedDefinition, definitionDrift, wantedDefinition } from '../../src/reconciler/domain-definition.js';

/* What a system's state wants of its domain's definition, and the edit that puts it there. */

const stateAfter = (...events: { type: string; data: unknown }[]): SystemState =>
  events.reduce((state, event) => systemDecider.evolve(state, event as SystemEvent), systemDecider.initialState);

const domain = demoDomainXml({
  name: 'rfe-d1',
  uuid: '0b0d3c1e-7f2a-4c55-8e61-0d9a3c2b1f40',
  memoryMiB: 64,
  vcpus: 1,
  mac: '52:54:00:00:00:02',
  rootDiskFile: '/var/lib/libvirt/images/root.qcow2',
});

describe('the definition a system wants', () => {
  it('owns a part only once a client has set it', () => {
    expect(wantedDefinition(systemDecider.initialState, { httpBootImages: true })).toEqual({});
    const state = stateAfter(
      { type: 'BootOverrideChanged', data: { target: 'Cd', enabled: 'Once' } },
      { type: 'BootOverrideConsumed', data: { target: 'Cd', enabled: 'Once' } },
      { type: 'BootModeChanged', data: { mode: 'Legacy' } },
      { type: 'BiosSettingsApplied', data: { attributes: { BootRetryCount: 5 } } },
    );
    expect(wantedDefinition(state, { httpBootImages: true })).toMatchObject({
      bootOrder: ['hd', 'network'],
      firmware: 'BIOS',
      biosAttributes: expect.objectContaining({ BootRetryCount: 5 }),
    });
  });

  it('leaves the boot order to the UEFI HTTP boot drive while an image is to be booted', () => {
    const http = { target: 'UefiHttp', enabled: 'Continuous', httpBootUri: 'http://images/boot.iso' };
    const state = stateAfter({ type: 'BootOverrideChanged', data: http });
    expect(wantedDefinition(state, { httpBootImages: true }).bootOrder).toBeUndefined();
    // No directory for the image: the firmware boots over the network.
    expect(wantedDefinition(state, { httpBootImages: false }).bootOrder).toEqual(['network', 'hd']);
  });

  it('puts each differing part right, keeps everything else, and finds nothing to do the second time', () => {
    const other = withSettings(withDeviceFirst(domain, 'vda'), {
      pendingBiosAttributes: { ProcVirtualization: 'Disabled' },
      bootOverride: { target: 'Pxe', enabled: 'Once' },
    }).replace('</metadata>', '<x:note xmlns:x="urn:another-program">kept</x:note></metadata>');
    const wanted = { bootOrder: ['network', 'hd'], firmware: 'UEFI', biosAttributes: { BootRetryCount: 4 } } as const;
    expect(definitionDrift(other, wanted)).toEqual(['boot order', 'firmware', 'BIOS settings']);
    const converged = convergedDefinition(other, wanted);
    const read = readDomainXml(converged);
    expect(read).toMatchObject({ bootDevices: ['network', 'hd'], perDeviceBoot: [], firmware: 'UEFI' });
    expect(read.settings).toEqual({
      biosAttributes: { BootRetryCount: 4 },
      pendingBiosAttributes: { ProcVirtualization: 'Disabled' },
      bootOverride: { target: 'Pxe', enabled: 'Once' },
    });
    expect(converged).toContain('<x:note xmlns:x="urn:another-program">kept</x:note>');
    expect(read.disks).toEqual(readDomainXml(domain).disks);
    expect(definitionDrift(converged, wanted)).toEqual([]);
    expect(convergedDefinition(converged, wanted)).toBe(converged);
    // BIOS attributes in another order are the same settings.
    expect(definitionDrift(converged, { biosAttributes: { BootRetryCount: 4 } })).toEqual([]);
  });
});
