import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DomainXmlFlag } from '../../src/libvirt/constants.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { withBootOrder } from '../../src/libvirt/xml/boot-order.js';
import { withFirmware } from '../../src/libvirt/xml/firmware.js';
import { withSettings } from '../../src/libvirt/xml/settings-metadata.js';
import { BIOS_DEFAULTS } from '../../src/domain/system/bios-attributes.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { uniqueName, tearDownLab } from '../support/libvirt.js';

/*
 * The level-triggered reconcile of a domain's definition on the real libvirtd: what a client set
 * (boot order, boot mode, BIOS settings) and was then changed behind the emulator's back with
 * the libvirt API, as virsh edit does, is put back on the next resync; a definition libvirt
 * refuses is retried with backoff and shown on the system until it goes through.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-definition-convergence-'));
const domainName = uniqueName('converge');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/c1';
let emulator: RunningEmulator | undefined;
let libvirt: LibvirtClient | undefined;
const lines: string[] = [];
const { request } = redfishClient(() => emulator!.url);

async function definition(): Promise<string> {
  return libvirt!.domainGetXml(await libvirt!.domainLookupByName(domainName), DomainXmlFlag.Inactive);
}

/** Defines the domain again, changed by `edit`, as an operator's virsh edit would. */
async function editBehindTheEmulatorsBack(edit: (xml: string) => string): Promise<void> {
  await libvirt!.domainDefineXml(edit(await definition()));
}

async function systemStatus(): Promise<{ Health: string; Conditions?: { Message: string }[] }> {
  const response = await request('GET', SYSTEM);
  return ((await response.json()) as { Status: { Health: string; Conditions?: { Message: string }[] } }).Status;
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  const { config } = testConfig(dir, {
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: join(dir, 'pool') } },
    lab: { createMissingDomains: true, systems: [{ id: 'c1', domain: domainName, vcpus: 1, memoryMiB: 64 }] },
  });
  libvirt = await LibvirtClient.connect('qemu:///system');
  emulator = await startEmulator(config, { resyncIntervalMs: 1000, announce: (line) => lines.push(line) });
  await emulator.lab!.ready;
});

afterAll(async () => {
  await tearDownLab({ emulator, libvirt, domainName, poolName, dir });
});

describe('the domain definition, level-triggered', { timeout: 120_000 }, () => {
  it('puts back the boot order, firmware and BIOS settings changed behind its back', async () => {
    const patched = await request('PATCH', SYSTEM, {
      Boot: {
        BootSourceOverrideTarget: 'Pxe',
        BootSourceOverrideEnabled: 'Continuous',
        BootSourceOverrideMode: 'UEFI',
      },
    });
    expect(patched.status).toBe(200);
    expect((await request('POST', `${SYSTEM}/Bios/Actions/Bios.ResetBios`, {})).status).toBe(204);
    const wanted = { bootDevices: ['network', 'hd'], perDeviceBoot: [], firmware: 'UEFI' };
    await expect.poll(async () => readDomainXml(await definition()), { timeout: 15_000 }).toMatchObject(wanted);
    await expect
      .poll(async () => readDomainXml(await definition()).settings?.biosAttributes, { timeout: 15_000 })
      .toEqual(BIOS_DEFAULTS);

    await editBehindTheEmulatorsBack((xml) =>
      withSettings(withFirmware(withBootOrder(xml, ['cdrom']), 'BIOS'), {
        biosAttributes: { ...BIOS_DEFAULTS, BootRetryCount: 9 },
      }),
    );
    // libvirt's lifecycle event for the define brings a resync at once: put back before a read here could see it.
    await expect.poll(async () => readDomainXml(await definition()), { timeout: 15_000 }).toMatchObject(wanted);
    await expect
      .poll(async () => readDomainXml(await definition()).settings?.biosAttributes, { timeout: 15_000 })
      .toEqual(BIOS_DEFAULTS);
    // libvirtd may answer this connection's read of the new definition before it answers the
    // round's define (a worker thread each): the round's line can come a moment after.
    await expect
      .poll(() => lines, { timeout: 15_000 })
      .toContainEqual(
        expect.stringMatching(new RegExp(`domain ${domainName} differed from what the log says \\(.*boot order.*\\)`)),
      );
    // Converged: resyncs (one a second here) go on and define nothing more; each define would be a lifecycle event.
    const defines: string[] = [];
    const stopListening = await libvirt!.onDomainEvent((event) => {
      if (event.kind === 'lifecycle' && event.eventName === 'Defined' && event.domain.name === domainName)
        defines.push(event.domain.name);
    });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await stopListening();
    expect(defines).toEqual([]);
    expect((await systemStatus()).Health).toBe('OK');
  });

  it('retries a definition libvirt refuses with backoff, shown on the system, until it goes through', async () => {
    // Without ACPI libvirt refuses UEFI firmware: the boot mode the log wants cannot be put back.
    await editBehindTheEmulatorsBack((xml) => withFirmware(xml, 'BIOS').replace('<acpi/>', ''));
    await expect
      .poll(async () => (await systemStatus()).Conditions?.map((c) => c.Message).join('\n') ?? '', { timeout: 15_000 })
      .toMatch(/domain definition of c1 .*UEFI requires ACPI.* ([2-9]|\d{2,}) attempts failed in a row/);
    const status = await systemStatus();
    expect(status.Health).toBe('Warning');
    expect(readDomainXml(await definition()).firmware).toBe('BIOS');
    const health = (await (await request('GET', '/healthz')).json()) as { status: string };
    expect(health.status).toBe('degraded');

    await editBehindTheEmulatorsBack((xml) => xml.replace('<features>', '<features><acpi/>'));
    await expect.poll(async () => readDomainXml(await definition()).firmware, { timeout: 40_000 }).toBe('UEFI');
    await expect.poll(async () => (await systemStatus()).Health, { timeout: 5_000 }).toBe('OK');
    expect((await systemStatus()).Conditions ?? []).toEqual([]);
    expect(lines).toContainEqual(
      expect.stringMatching(/^domain definition of c1 .*: recovered after \d+ failed attempts/),
    );
  });
});
