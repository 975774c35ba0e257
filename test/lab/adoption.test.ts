import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { selectAdopted, type FoundDomain } from '../../src/lab/adopted-systems.js';
import type { LabSystem } from '../../src/lab/lab-systems.js';
import { testConfig } from '../support/config.js';

const found: FoundDomain[] = [
  { name: 'web-1', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f' },
  { name: 'db-1', uuid: '11111111-2222-3333-4444-555555555555' },
  { name: 'has space', uuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' },
];
const configured = [{ id: 'web', libvirtUri: 'qemu:///system', domainName: 'web-1' }] as LabSystem[];

describe('which existing domains a rule adopts', () => {
  it('takes every domain on a URI when the rule names none, leaving out names that cannot be ids', () => {
    expect(selectAdopted({ uri: 'qemu+ssh://h/system' }, found, configured)).toEqual({ adopt: found.slice(0, 2), unusable: ['has space'] });
  });

  it('takes only the domains named or with a listed UUID (in any case)', () => {
    expect(selectAdopted({ uri: 'u', names: ['db-1'], uuids: ['6695EB01-F6A4-8304-79AA-97F2502E193F'] }, found, []).adopt.map((d) => d.name)).toEqual(['web-1', 'db-1']);
    expect(selectAdopted({ uri: 'u', names: [] }, found, []).adopt).toEqual([]);
  });

  it('leaves out a domain a configured system stands for on the same URI', () => {
    expect(selectAdopted({ uri: 'qemu:///system', names: ['web-1', 'db-1'] }, found, configured).adopt.map((d) => d.name)).toEqual(['db-1']);
  });
});

describe("adopting libvirt's test driver domain", () => {
  const dir = mkdtempSync(join(tmpdir(), 'rfe-test-adopt-'));
  let emulator: RunningEmulator;

  beforeAll(async () => {
    const { config } = testConfig(dir, { libvirt: { uri: 'test:///default' }, lab: { systems: [], adopt: [{ uri: 'test:///default', names: ['test'] }] } });
    emulator = await startEmulator(config);
    await emulator.lab!.ready;
  });

  afterAll(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('presents the domain as a system named after it, and powers it', async () => {
    const get = async (path: string) => (await (await fetch(`${emulator.url}${path}`)).json()) as Record<string, any>;
    expect((await get('/redfish/v1/Systems'))['Members']).toEqual([{ '@odata.id': '/redfish/v1/Systems/test' }]);
    expect(await get('/redfish/v1/Systems/test')).toMatchObject({ Id: 'test', Name: 'test', PowerState: 'On', ProcessorSummary: { LogicalProcessorCount: 2 } });
    const reset = await fetch(`${emulator.url}/redfish/v1/Systems/test/Actions/ComputerSystem.Reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ResetType":"ForceOff"}' });
    expect(reset.status).toBe(204);
    await expect.poll(async () => (await get('/redfish/v1/Systems/test'))['PowerState'], { timeout: 15_000 }).toBe('Off');
  });
});
