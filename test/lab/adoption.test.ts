import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { selectAdopted, type FoundDomain } from '../../src/lab/adopted-systems.js';
import type { LabSystem } from '../../src/lab/lab-systems.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import type { DomainHandle } from '../../src/libvirt/structs.js';
import { buildXml } from '../../src/xml.js';
import { testConfig } from '../support/config.js';
import { quietly, runningTestDriverDomain, type TestDriverDomain, uniqueName } from '../support/libvirt.js';

const found: FoundDomain[] = [
  { name: 'web-1', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f' },
  { name: 'db-1', uuid: '11111111-2222-3333-4444-555555555555' },
  { name: 'has space', uuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' },
];
const configured = [{ id: 'web', libvirtUri: 'qemu:///system', domainName: 'web-1' }] as LabSystem[];

describe('which existing domains a rule adopts', () => {
  it('takes every domain on a URI when the rule names none, leaving out names that cannot be ids', () => {
    expect(selectAdopted({ uri: 'qemu+ssh://h/system' }, found, configured)).toEqual({
      adopt: found.slice(0, 2),
      unusable: ['has space'],
    });
  });

  it('takes only the domains named or with a listed UUID (in any case)', () => {
    expect(
      selectAdopted(
        { uri: 'u', names: ['db-1'], uuids: ['6695EB01-F6A4-8304-79AA-97F2502E193F'] },
        found,
        [],
      ).adopt.map((d) => d.name),
    ).toEqual(['web-1', 'db-1']);
    expect(selectAdopted({ uri: 'u', names: [] }, found, []).adopt).toEqual([]);
  });

  it('leaves out a domain a configured system stands for on the same URI', () => {
    expect(
      selectAdopted({ uri: 'qemu:///system', names: ['web-1', 'db-1'] }, found, configured).adopt.map((d) => d.name),
    ).toEqual(['db-1']);
  });
});

describe('adopting with lab.systemIds "uuid", as sushy-tools lists libvirt domains', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rfe-test-adopt-uuid-'));
  let emulator: RunningEmulator;
  let domain: TestDriverDomain | undefined;

  beforeAll(async () => {
    domain = await runningTestDriverDomain();
    const { config } = testConfig(dir, {
      libvirt: { uri: 'test:///default' },
      lab: { systems: [], systemIds: 'uuid', adopt: [{ uri: 'test:///default', names: [domain.name] }] },
    });
    emulator = await startEmulator(config);
    await emulator.lab!.ready;
  });

  afterAll(async () => {
    await emulator?.close();
    await domain?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names the system after its domain's UUID, and it answers at the domain's name too", async () => {
    const get = async (path: string) => (await (await fetch(`${emulator.url}${path}`)).json()) as Record<string, any>;
    await expect
      .poll(async () => (await get('/redfish/v1/Systems'))['Members@odata.count'], { timeout: 15_000 })
      .toBe(1);
    const member = (await get('/redfish/v1/Systems'))['Members'][0]['@odata.id'] as string;
    const uuid = member.split('/').pop()!;
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await expect.poll(async () => (await get(member))['UUID'], { timeout: 15_000 }).toBe(uuid);
    expect(await get(member)).toMatchObject({ Id: uuid, Name: domain!.name });
    expect((await get(`/redfish/v1/Systems/${domain!.name}`))['@odata.id']).toBe(member);
  });
});

describe("adopting libvirt's test driver domain", () => {
  const dir = mkdtempSync(join(tmpdir(), 'rfe-test-adopt-'));
  let emulator: RunningEmulator;
  let domain: TestDriverDomain | undefined;

  beforeAll(async () => {
    domain = await runningTestDriverDomain();
    const { config } = testConfig(dir, {
      libvirt: { uri: 'test:///default' },
      lab: { systems: [], adopt: [{ uri: 'test:///default', names: [domain.name] }] },
    });
    emulator = await startEmulator(config);
    await emulator.lab!.ready;
  });

  afterAll(async () => {
    await emulator?.close();
    await domain?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('presents the domain as a system named after it, and powers it', async () => {
    const get = async (path: string) => (await (await fetch(`${emulator.url}${path}`)).json()) as Record<string, any>;
    const system = `/redfish/v1/Systems/${domain!.name}`;
    expect((await get('/redfish/v1/Systems'))['Members']).toEqual([{ '@odata.id': system }]);
    expect(await get(system)).toMatchObject({
      Id: domain!.name,
      Name: domain!.name,
      PowerState: 'On',
      ProcessorSummary: { LogicalProcessorCount: 2 },
    });
    const reset = await fetch(`${emulator.url}${system}/Actions/ComputerSystem.Reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ResetType":"ForceOff"}',
    });
    expect(reset.status).toBe(204);
    await expect.poll(async () => (await get(system))['PowerState'], { timeout: 15_000 }).toBe('Off');
  });
});

describe('a domain a rule names, defined after the lab started', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rfe-test-adopt-late-'));
  const late = uniqueName('late');
  let emulator: RunningEmulator;
  let config: EmulatorConfig;
  /** Opened first and kept: test:///default keeps the domains defined on it while a connection is open. */
  let libvirt: LibvirtClient;
  const get = async (path: string) => (await (await fetch(`${emulator.url}${path}`)).json()) as Record<string, any>;
  /** Stopped and undefined; the test driver takes no undefine flags (removeDomain's NVRAM one is refused there). */
  const remove = async (domain: DomainHandle) => {
    await quietly(() => libvirt.domainDestroy(domain));
    await libvirt.domainUndefine(domain);
  };

  beforeAll(async () => {
    libvirt = await LibvirtClient.connect('test:///default');
    ({ config } = testConfig(dir, {
      libvirt: { uri: 'test:///default' },
      lab: { systems: [], adopt: [{ uri: 'test:///default', names: [late] }] },
    }));
    // A resync far off: what adopts the domain in time is libvirt's event that it was defined.
    emulator = await startEmulator(config, { resyncIntervalMs: 120_000 });
    await emulator.lab!.ready;
  });

  afterAll(async () => {
    await emulator?.close();
    const domain = await libvirt?.domainLookupByName(late).catch(() => undefined);
    if (domain) await remove(domain);
    await libvirt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is adopted without a restart, carries out resets, and stays as an Absent system once it is gone', async () => {
    // No system yet.
    expect((await fetch(`${emulator.url}/redfish/v1/Systems/${late}`)).status).toBe(404);
    const xml = buildXml({
      domain: {
        $: { type: 'test' },
        name: late,
        memory: { $: { unit: 'MiB' }, _: '64' },
        vcpu: '3',
        os: { type: 'hvm' },
      },
    });
    const domain = await libvirt.domainDefineXml(xml);

    await expect
      .poll(async () => (await get('/redfish/v1/Systems'))['Members'], { timeout: 10_000 })
      .toEqual([{ '@odata.id': `/redfish/v1/Systems/${late}` }]);
    await expect
      .poll(async () => get(`/redfish/v1/Systems/${late}`), { timeout: 10_000 })
      .toMatchObject({
        Id: late,
        PowerState: 'Off',
        Status: { State: 'Enabled', Health: 'OK' },
        ProcessorSummary: { LogicalProcessorCount: 3 },
      });
    const reset = await fetch(`${emulator.url}/redfish/v1/Systems/${late}/Actions/ComputerSystem.Reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ResetType":"On"}',
    });
    expect(reset.status).toBe(204);
    await expect
      .poll(async () => (await get(`/redfish/v1/Systems/${late}`))['PowerState'], { timeout: 10_000 })
      .toBe('On');
    expect((await libvirt.domainGetState(domain)).stateName).toBe('Running');

    await remove(domain);
    await expect
      .poll(async () => (await get(`/redfish/v1/Systems/${late}`))['Status'], { timeout: 10_000 })
      .toEqual({ State: 'Absent', Health: 'Critical' });
    expect((await get('/redfish/v1/Systems'))['Members']).toEqual([{ '@odata.id': `/redfish/v1/Systems/${late}` }]);
  });

  it('is shown Absent at the next start when its domain went away while the emulator was stopped', async () => {
    const domain = await libvirt.domainDefineXml(
      buildXml({
        domain: {
          $: { type: 'test' },
          name: late,
          memory: { $: { unit: 'MiB' }, _: '64' },
          vcpu: '3',
          os: { type: 'hvm' },
        },
      }),
    );
    await expect
      .poll(async () => (await get(`/redfish/v1/Systems/${late}`))['Status'], { timeout: 10_000 })
      .toEqual({ State: 'Enabled', Health: 'OK' });
    await emulator.close();
    await remove(domain);
    emulator = await startEmulator(config, { resyncIntervalMs: 120_000 });
    await emulator.lab!.ready;
    await expect
      .poll(async () => (await get(`/redfish/v1/Systems/${late}`))['Status'], { timeout: 10_000 })
      .toEqual({ State: 'Absent', Health: 'Critical' });
  });
});
