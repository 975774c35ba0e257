import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { readSimulatedState } from '../../src/libvirt/simulated-state-file.js';
import { simulatedStateFile } from '../../src/lab/lab-connections.js';
import { configDrives, testConfig } from '../support/config.js';
import { runCli } from '../support/run-cli.js';
import { loadScenarioFor, replayScenario } from '../../src/scenario/replay-scenario.js';
import { removeDomainByName, removePoolByName } from '../../src/lab/remove-lab-objects.js';
import { uniqueName } from '../support/libvirt.js';
import type { EmulatorConfig } from '../../src/config/config.js';

/**
 * A lab of two libvirt domains (test:///default) and simulated systems: everything a client does
 * to a VM-backed system works on a simulated one, through Redfish, with its events in history.
 */
const SIMULATED = 20;
/** The two libvirt domains, the section's systems, and one that fetches its media. */
const TOTAL = 2 + SIMULATED + 1;
const SYSTEM = '/redfish/v1/Systems/sim-07';
const MANAGER = '/redfish/v1/Managers/sim-07';
const STORAGE = `${SYSTEM}/Storage/RAID`;

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-simulated-'));
const real = [uniqueName('real'), uniqueName('real')];
const poolName = uniqueName('pool');
let emulator: RunningEmulator;
/** An image server for the whole file: a scenario replay fetches the images its setup inserted again. */
const IMAGE = Buffer.alloc(4096, 7);
const imageServer = createServer((_, response) => response.end(IMAGE));
let imageUrl: string;
let config: EmulatorConfig;
let configFile: string;

const request = (method: string, path: string, body?: unknown) =>
  fetch(`${emulator.url}${path}`, {
    method,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
const get = async (path: string) => (await (await request('GET', path)).json()) as Record<string, any>;
const typesOf = () => queryHistory(emulator.store.db, { resource: SYSTEM }).map((e) => e.type);
/** The simulated machine as its host keeps it, once the host has written its state. */
async function simulatedDomain() {
  await new Promise((resolve) => setTimeout(resolve, 700));
  const state = readSimulatedState(simulatedStateFile(config))!;
  const domain = state.domains.find((d) => d.name === 'sim-07')!;
  return { ...domain, description: readDomainXml(domain.xml), pools: state.pools };
}

beforeAll(async () => {
  await new Promise<void>((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
  imageUrl = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}/boot.iso`;
  ({ config, file: configFile } = testConfig(dir, {
    libvirt: { uri: 'test:///default', pool: { name: poolName, path: join(dir, 'pool') } },
    lab: {
      createMissingDomains: true,
      systems: real.map((domain, i) => ({ id: `real-${i + 1}`, domain, memoryMiB: 64 })),
      simulated: [
        {
          count: SIMULATED,
          id: 'sim-{index:2}',
          template: {
            vcpus: 16,
            memoryMiB: 65536,
            firmware: 'UEFI',
            storage: [
              {
                id: 'RAID',
                drives: configDrives(2, 2 ** 30),
              },
            ],
          },
          powerSeconds: { min: 0.2, max: 0.5 },
          virtualMedia: 'record',
        },
        { id: 'fetcher', virtualMedia: 'fetch' },
      ],
    },
  }));
  emulator = await startEmulator(config);
  await emulator.lab!.ready;
});

afterAll(async () => {
  await emulator?.close();
  imageServer.close();
  const client = await LibvirtClient.connect('test:///default');
  for (const domain of real) await removeDomainByName(client, domain);
  await removePoolByName(client, poolName);
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('simulated systems beside libvirt domains', () => {
  it('are listed with the real ones, with the template hardware', async () => {
    const systems = await get('/redfish/v1/Systems');
    expect(systems['Members@odata.count']).toBe(TOTAL);
    expect(systems['Members'].map((m: { '@odata.id': string }) => m['@odata.id'])).toEqual(
      expect.arrayContaining(['/redfish/v1/Systems/real-1', '/redfish/v1/Systems/real-2', SYSTEM]),
    );
    await expect.poll(async () => (await get(SYSTEM))['PowerState'], { timeout: 15_000 }).toBe('Off');
    expect(await get(SYSTEM)).toMatchObject({
      ProcessorSummary: { LogicalProcessorCount: 16 },
      MemorySummary: { TotalSystemMemoryGiB: 64 },
      Boot: { BootSourceOverrideMode: 'UEFI' },
    });
    expect((await get('/redfish/v1/Systems/real-1'))['ProcessorSummary']).toMatchObject({ LogicalProcessorCount: 1 });
  });

  it('power on, restart and off through Redfish, each taking its time, with the events in history', async () => {
    const reset = (ResetType: string) => request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType });
    expect((await reset('On')).status).toBe(204);
    await expect.poll(async () => (await get(SYSTEM))['PowerState'], { timeout: 15_000 }).toBe('On');
    expect((await reset('ForceRestart')).status).toBe(204);
    await expect.poll(() => typesOf().filter((t) => t === 'SystemBooted').length, { timeout: 15_000 }).toBe(2);
    expect((await reset('GracefulShutdown')).status).toBe(204);
    await expect.poll(async () => (await get(SYSTEM))['PowerState'], { timeout: 15_000 }).toBe('Off');
    expect(typesOf().filter((t) => t === 'ResetApplied')).toHaveLength(3);
    expect(typesOf()).toEqual(expect.arrayContaining(['ResetRequested', 'PowerStateObserved', 'SystemBooted']));
  });

  it('takes a boot override into its definition', async () => {
    const patched = await request('PATCH', SYSTEM, {
      Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Continuous' },
    });
    expect(patched.status).toBeLessThan(300);
    await expect
      .poll(async () => (await simulatedDomain()).description.bootDevices[0], { timeout: 15_000 })
      .toBe('network');
    expect(typesOf()).toContain('BootOverrideChanged');
  });

  it('creates and deletes a RAID volume with no backing file', async () => {
    const created = await request('POST', `${STORAGE}/Volumes`, {
      RAIDType: 'RAID1',
      CapacityBytes: 2 ** 28,
      Links: { Drives: [{ '@odata.id': `${STORAGE}/Drives/0` }, { '@odata.id': `${STORAGE}/Drives/1` }] },
    });
    expect(created.status).toBe(201);
    const volume = created.headers.get('location')!;
    await expect
      .poll(() => queryHistory(emulator.store.db, { resource: STORAGE }).map((e) => e.type), { timeout: 15_000 })
      .toContain('VolumeOperationCompleted');
    const held = await simulatedDomain();
    expect(held.description.disks.filter((d) => d.device === 'disk')).toHaveLength(1);
    const volumes = held.pools.find((p) => p.name === poolName)!.volumes;
    expect(volumes).toHaveLength(1);
    expect(existsSync(join(dir, 'pool', volumes[0]!.name))).toBe(false);

    expect((await request('DELETE', volume)).status).toBeLessThan(300);
    await expect
      .poll(async () => (await get(`${STORAGE}/Volumes`))['Members@odata.count'], { timeout: 15_000 })
      .toBe(0);
    expect((await simulatedDomain()).description.disks.filter((d) => d.device === 'disk')).toHaveLength(0);
    const storageHistory = queryHistory(emulator.store.db, { resource: STORAGE }).map((e) => e.type);
    expect(storageHistory).toEqual(
      expect.arrayContaining(['VolumeCreateRequested', 'VolumeDeleteRequested', 'VolumeOperationCompleted']),
    );
  });

  it('inserts and ejects virtual media, the image recorded in the drive', async () => {
    const image = 'http://images.example/deploy.iso';
    const inserted = await request('POST', `${MANAGER}/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia`, {
      Image: image,
    });
    expect(inserted.status).toBe(204);
    expect(await get(`${MANAGER}/VirtualMedia/Cd`)).toMatchObject({ Image: image, Inserted: true });
    await expect
      .poll(async () => (await simulatedDomain()).description.disks.find((d) => d.device === 'cdrom')?.sourceFile, {
        timeout: 15_000,
      })
      .toBe(image);
    const ejected = await request('POST', `${MANAGER}/VirtualMedia/Cd/Actions/VirtualMedia.EjectMedia`, {});
    expect(ejected.status).toBe(204);
    await expect
      .poll(async () => (await simulatedDomain()).description.disks.find((d) => d.device === 'cdrom')?.sourceFile, {
        timeout: 15_000,
      })
      .toBeUndefined();
    expect(typesOf()).toEqual(expect.arrayContaining(['VirtualMediaInsertRequested', 'VirtualMediaEjectRequested']));
  });

  it('fetches its media into the lab pool when its section says fetch', async () => {
    const inserted = await request(
      'POST',
      '/redfish/v1/Managers/fetcher/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia',
      {
        Image: imageUrl,
      },
    );
    expect(inserted.status).toBe(204);
    const held = async () => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      const domain = readSimulatedState(simulatedStateFile(config))!.domains.find((d) => d.name === 'fetcher')!;
      return readDomainXml(domain.xml).disks.find((d) => d.device === 'cdrom')?.sourceFile;
    };
    await expect.poll(held, { timeout: 15_000 }).toMatch(new RegExp(`^${join(dir, 'pool')}/`));
    expect(readFileSync((await held())!)).toEqual(IMAGE);
  });

  it('takes BIOS settings at its next boot, into its definition, and a drive fault', async () => {
    const patched = await request('PATCH', `${SYSTEM}/Bios/Settings`, { Attributes: { NumLockState: 'Off' } });
    expect(patched.status).toBeLessThan(300);
    expect((await request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' })).status).toBe(204);
    await expect.poll(typesOf, { timeout: 15_000 }).toContain('BiosSettingsApplied');
    expect((await get(`${SYSTEM}/Bios`))['Attributes']).toMatchObject({ NumLockState: 'Off' });
    await expect.poll(async () => (await simulatedDomain()).xml, { timeout: 15_000 }).toMatch(/NumLockState/);

    expect((await request('POST', '/emulator/v1/Systems/sim-07/Storage/RAID/Drives/1/fail')).status).toBe(200);
    expect((await get(`${STORAGE}/Drives/1`))['Status']).toMatchObject({ Health: 'Critical' });
    expect(queryHistory(emulator.store.db, { resource: STORAGE }).map((e) => e.type)).toContain('DriveFailed');
  });

  it('are listed and powered by sushy', async () => {
    const script = `
import sushy
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
ids = [s.identity for s in c.get_system_collection().get_members()]
s = c.get_system('/redfish/v1/Systems/sim-03')
s.reset_system(sushy.ResetType.ON)
print(len(ids), 'sim-03' in ids, s.power_state)
`;
    const env = { ...process.env };
    delete env['REQUESTS_CA_BUNDLE'];
    delete env['CURL_CA_BUNDLE'];
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], { env });
    expect(stdout.trim()).toMatch(new RegExp(`^${TOTAL} True PowerState\\.(OFF|ON)$`));
    await expect
      .poll(async () => (await get('/redfish/v1/Systems/sim-03'))['PowerState'], { timeout: 15_000 })
      .toBe('On');
  });
});

describe('a scenario of a simulated system', { timeout: 300_000 }, () => {
  it('is exported between marks and replayed on a sandbox lab to the same views', async () => {
    const other = '/redfish/v1/Systems/sim-05';
    expect(runCli(['mark', 'start', '--config', configFile]).code).toBe(0);
    expect((await request('POST', `${other}/Actions/ComputerSystem.Reset`, { ResetType: 'On' })).status).toBe(204);
    await expect.poll(async () => (await get(other))['PowerState'], { timeout: 15_000 }).toBe('On');
    const created = await request('POST', `${other}/Storage/RAID/Volumes`, {
      RAIDType: 'RAID0',
      CapacityBytes: 2 ** 27,
      Links: { Drives: [{ '@odata.id': `${other}/Storage/RAID/Drives/0` }] },
    });
    expect(created.status).toBe(201);
    await expect
      .poll(() => queryHistory(emulator.store.db, { resource: `${other}/Storage/RAID` }).map((e) => e.type), {
        timeout: 15_000,
      })
      .toContain('VolumeOperationCompleted');
    expect(runCli(['mark', 'end', '--config', configFile]).code).toBe(0);
    const scenarioFile = join(dir, 'run.ndjson');
    const exported = runCli([
      'scenario',
      'export',
      '--config',
      configFile,
      '--from-mark',
      'start',
      '--to-mark',
      'end',
      '-o',
      scenarioFile,
    ]);
    expect(exported.code, exported.stderr).toBe(0);

    const report = await replayScenario(loadScenarioFor(scenarioFile, config), config, {
      pace: 'fast',
      waitSeconds: 60,
      keep: false,
      withLab: true,
    });
    expect(report.stepDifferences).toEqual([]);
    expect(report.outcomeDifferences).toEqual([]);
    expect(report.viewDifferences).toEqual([]);
    expect(report.equal).toBe(true);
  });
});

describe('a simulated section that collides with a configured system', () => {
  it('stops serve with a configuration error naming the key, exit 2, before anything starts', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'rfe-test-simulated-bad-'));
    try {
      const file = join(bad, 'config.json');
      writeFileSync(
        file,
        JSON.stringify({
          dataDir: join(bad, 'data'),
          listen: { port: 0 },
          tls: false,
          lab: { systems: [{ id: 'n1', domain: 'd1' }], simulated: [{ id: 'n1' }] },
        }),
      );
      const result = runCli(['serve', '--config', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("lab.simulated[0].id: 'n1' (index 1) is already the id of lab.systems[0]");
      expect(existsSync(join(bad, 'data'))).toBe(false);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
