import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DomainXmlFlag } from '../../src/libvirt/constants.js';
import { loadScenarioFor, replayScenario } from '../../src/scenario/replay-scenario.js';
import { labInventory } from '../../src/scenario/sandbox.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { removeLabByName, uniqueName } from '../support/libvirt.js';
import { runCli } from '../support/run-cli.js';

/*
 * Scenarios end to end: a client drives a lab on the real libvirtd (RAID volumes, power, a
 * one-time boot override, a drive failing and being replaced), the run is exported between two
 * marks, and replayed onto a fresh store and a sandbox lab, which must end with the same
 * Redfish resources and the same libvirt volumes and disks, without touching the live lab.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-scenario-'));
const domainName = uniqueName('scenario');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/s1';
const STORAGE = `${SYSTEM}/Storage/RAID`;
const MiB = 1024 * 1024;
const drive = (id: number) => ({ '@odata.id': `${STORAGE}/Drives/${id}` });
const scenarioFile = join(dir, 'run.ndjson');
let config: EmulatorConfig;
let configFile: string;
let emulator: RunningEmulator;
let libvirt: LibvirtClient;

function labOverrides(driveBytes: number) {
  const drives = [0, 1, 2, 3].map((i) => ({
    id: String(i),
    capacityBytes: driveBytes,
    mediaType: 'SSD',
    protocol: 'SAS',
  }));
  return {
    auth: { enabled: true },
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: join(dir, 'pool') } },
    lab: {
      createMissingDomains: true,
      rebuildSeconds: 2,
      systems: [
        { id: 's1', domain: domainName, vcpus: 1, memoryMiB: 64, rootDiskGiB: 5, storage: [{ id: 'RAID', drives }] },
      ],
    },
  };
}

const { request, get } = redfishClient(() => emulator.url);

async function expectStatus(response: Promise<Response>, status: number): Promise<Response> {
  const answer = await response;
  expect(answer.status, await answer.clone().text()).toBe(status);
  return answer;
}

const powerBecomes = (state: string) =>
  expect.poll(async () => (await get(SYSTEM))['PowerState'], { timeout: 60_000, interval: 100 }).toBe(state);

/** The live lab as libvirt has it: what a replay must leave exactly as it was. */
async function liveLab(): Promise<string> {
  const domain = await libvirt.domainLookupByName(domainName);
  return JSON.stringify({
    inventory: await labInventory(config),
    xml: await libvirt.domainGetXml(domain, DomainXmlFlag.Inactive),
    state: (await libvirt.domainGetState(domain)).state,
  });
}

/** Domains a replay of this test made, that it should have removed again. */
async function sandboxDomains(): Promise<string[]> {
  return (await libvirt.listAllDomains()).map((d) => d.name).filter((name) => name.startsWith(`${domainName}-replay-`));
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  ({ config, file: configFile } = testConfig(dir, labOverrides(256 * MiB)));
  libvirt = await LibvirtClient.connect('qemu:///system');
  emulator = await startEmulator(config, { resyncIntervalMs: 500, settleWaitMs: 60_000 });
  await emulator.lab!.ready;
}, 120_000);

/** What a client did, between marks start and end (one request before start). */
async function recordRun(): Promise<void> {
  // Before the first mark: set-up the scenario keeps, replayed first.
  await expectStatus(
    request('POST', `${STORAGE}/Volumes`, {
      RAIDType: 'RAID1',
      CapacityBytes: 32 * MiB,
      Links: { Drives: [drive(0), drive(1)] },
    }),
    201,
  );
  expect(runCli(['mark', 'start', '--config', configFile]).code).toBe(0);
  await expectStatus(
    request('PATCH', SYSTEM, { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } }),
    200,
  );
  await expectStatus(request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' }), 204);
  await powerBecomes('On');
  await expect
    .poll(async () => (await get(SYSTEM))['Boot']['BootSourceOverrideEnabled'], { timeout: 60_000 })
    .toBe('Disabled');
  await expectStatus(request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' }), 204);
  await powerBecomes('Off');
  const stripe = (
    await expectStatus(
      request('POST', `${STORAGE}/Volumes`, {
        RAIDType: 'RAID0',
        CapacityBytes: 16 * MiB,
        Links: { Drives: [drive(2), drive(3)] },
      }),
      201,
    )
  ).headers.get('location')!;
  await expectStatus(request('POST', `/emulator/v1/Systems/s1/Storage/RAID/Drives/1/fail`), 200);
  await expectStatus(
    request('POST', `/emulator/v1/Systems/s1/Storage/RAID/Drives/1/replace`, { SerialNumber: 'NEW-1' }),
    200,
  );
  await expect
    .poll(async () => (await get(`${STORAGE}/Volumes/1`))['Status']?.['Health'], { timeout: 60_000, interval: 200 })
    .toBe('OK');
  await expectStatus(request('DELETE', stripe), 204);
  expect(runCli(['mark', 'end', '--config', configFile]).code).toBe(0);
}

afterAll(async () => {
  await emulator?.close();
  await removeLabByName(libvirt, { domain: domainName, pool: poolName });
  for (const name of await sandboxDomains().catch(() => []))
    await removeLabByName(libvirt, { domain: name, pool: `${poolName}-replay-none` });
  await libvirt?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('scenarios', { timeout: 300_000 }, () => {
  it('exports what the client did between two marks, and a replay on a sandbox lab reproduces its views, volumes and disks', async () => {
    await recordRun();
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
    expect(exported.stderr).toMatch(/exported \d+ steps/);
    expect(exported.code).toBe(0);
    const lines = readFileSync(scenarioFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, any>);
    const steps = lines.filter((line) => line['kind'] === 'step');
    expect(steps.map((s) => `${s['command']['type']}${s['setup'] ? ' (setup)' : ''}`)).toEqual([
      'CreateVolume (setup)',
      'PatchSystem',
      'ResetSystem',
      'ResetSystem',
      'CreateVolume',
      'FailDrive',
      'ReplaceDrive',
      'DeleteVolume',
    ]);
    // The lab's outcomes follow the request they came of: the reset carried out, the power seen on.
    const afterOn = lines
      .slice(lines.indexOf(steps[2]!) + 1, lines.indexOf(steps[3]!))
      .map((line) => `${line['kind']} ${line['type']}`);
    expect(afterOn).toEqual(
      expect.arrayContaining(['outcome ResetApplied', 'outcome PowerStateObserved', 'outcome SystemBooted']),
    );
    expect(lines[0]).toMatchObject({
      format: 'redfish-emulator-scenario',
      range: { fromMark: 'start', toMark: 'end' },
      lab: { systems: [{ id: 's1' }] },
    });

    const live = await liveLab();
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
    // The same libvirt volumes (names, capacities) and the same disks on the domain.
    const liveInventory = await labInventory(config);
    expect(liveInventory.volumes.length).toBeGreaterThan(0);
    expect(report.inventory).toEqual(liveInventory);
    // The live lab was not touched, and the sandbox is gone.
    expect(await liveLab()).toBe(live);
    expect(await sandboxDomains()).toEqual([]);
    expect(existsSync(`${join(dir, 'pool')}${report.sandbox.suffix}`)).toBe(false);

    // Without libvirt, the lab's outcomes are recorded as they were: the same views, in a moment.
    const scenario = loadScenarioFor(scenarioFile, config);
    const bare = await replayScenario(scenario, config, { pace: 'fast', waitSeconds: 1, keep: false, withLab: false });
    expect(bare.viewDifferences).toEqual([]);
    expect(bare.equal).toBe(true);
    // And a resource that differs from the recording is reported, member by member.
    const tampered = {
      ...scenario,
      views: scenario.views.map((v) =>
        v.resource === SYSTEM ? { ...v, body: { ...(v.body as object), PowerState: 'On' } } : v,
      ),
    };
    const different = await replayScenario(tampered, config, {
      pace: 'fast',
      waitSeconds: 1,
      keep: false,
      withLab: false,
    });
    expect(different.equal).toBe(false);
    expect(different.viewDifferences).toEqual([
      {
        resource: SYSTEM,
        kind: 'changed',
        changes: [{ op: 'replace', path: '/PowerState', value: 'Off', previous: 'On' }],
      },
    ]);
  });

  it('refuses a scenario from a newer schema, a truncated or edited one, or one for another lab, before doing anything', async () => {
    const text = readFileSync(scenarioFile, 'utf8');
    const [headerLine, ...rest] = text.trimEnd().split('\n');
    const header = JSON.parse(headerLine!) as Record<string, unknown>;
    const forceOff = rest.findIndex(
      (line) => line.startsWith('{"kind":"step"') && line.includes('"resetType":"ForceOff"'),
    );
    expect(forceOff).toBeGreaterThan(0);
    const variants: [string, string, RegExp][] = [
      [
        'newer',
        `${JSON.stringify({ ...header, schemaVersion: (header['schemaVersion'] as number) + 1 })}\n${rest.join('\n')}\n`,
        /newer than this build/,
      ],
      ['truncated', `${[headerLine, ...rest.slice(0, -1)].join('\n')}\n`, /truncated or edited/],
      [
        'edited',
        `${headerLine}\n${rest.map((line, i) => (i === forceOff ? line.replace('"ForceOff"', '"On"') : line)).join('\n')}\n`,
        /edited or damaged/,
      ],
      [
        'edited-header',
        `${JSON.stringify({ ...header, range: { ...(header['range'] as object), fromPosition: 1 } })}\n${rest.join('\n')}\n`,
        /edited or damaged/,
      ],
    ];
    for (const [name, content, message] of variants) {
      const file = join(dir, `${name}.ndjson`);
      writeFileSync(file, content);
      expect(() => loadScenarioFor(file, config), name).toThrow(message);
      const run = runCli([
        'scenario',
        'replay',
        file,
        '--config',
        configFile,
        '--data-dir',
        join(dir, `replay-${name}`),
      ]);
      expect(run.code, name).toBe(1);
      expect(run.stderr, name).toMatch(message);
      expect(existsSync(join(dir, `replay-${name}`)), name).toBe(false);
    }
    const other = testConfig(mkdtempSync(join(dir, 'other-')), labOverrides(512 * MiB));
    expect(() => loadScenarioFor(scenarioFile, other.config)).toThrow(
      /recorded on another lab: at lab\/systems\/0\/storage\/0\/drives\/0\/capacityBytes/,
    );
    expect(await sandboxDomains()).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.startsWith('pool-replay-'))).toEqual([]);
  });
});
