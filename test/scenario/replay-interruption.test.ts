import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { findSandboxObjects, removeSandboxObjects } from '../../src/scenario/sandbox.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { removeLabByName, uniqueName } from '../support/libvirt.js';
import { runCli, startCli, type RunningCli } from '../support/run-cli.js';

/*
 * A replay on a sandbox lab of the real libvirtd, interrupted while it waits for a RAID
 * rebuild: Ctrl-C stops it there, removes the sandbox and prints the report so far; a kill -9
 * leaves the sandbox, which `scenario sandboxes` finds and removes, and nothing else.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-replay-interruption-'));
const domainName = uniqueName('interrupt');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/s1';
const STORAGE = `${SYSTEM}/Storage/RAID`;
const MiB = 1024 * 1024;
const scenarioFile = join(dir, 'rebuild.ndjson');
let config: EmulatorConfig;
let configFile: string;
let emulator: RunningEmulator | undefined;
let libvirt: LibvirtClient;
const running: RunningCli[] = [];

const { request, get } = redfishClient(() => emulator!.url);
const drive = (id: number) => ({ '@odata.id': `${STORAGE}/Drives/${id}` });
const ofThisLab = (live: string) => live === domainName || live === poolName;

/** The sandbox objects replays of this test left in libvirt. */
async function sandboxes(): Promise<string[]> {
  const found = await findSandboxObjects(libvirt, ofThisLab);
  return [...found.pools.map((p) => p.name), ...found.domains];
}

/** Where the replays make their stores: a killed one leaves its store there, removed with the test's directory. */
const replayTmp = join(dir, 'tmp');

function replay(...flags: string[]): RunningCli {
  mkdirSync(replayTmp, { recursive: true });
  const run = startCli(['scenario', 'replay', scenarioFile, '--config', configFile, ...flags], { TMPDIR: replayTmp });
  running.push(run);
  return run;
}

/** What a replay shows while the sandbox's lab rebuilds the replaced drive. */
const WAITING_FOR_REBUILD = /replay: step \d+\/\d+ ReplaceDrive, waiting [\d.]+ s for VolumeRebuildProgressed/;

beforeAll(async () => {
  chmodSync(dir, 0o755);
  const drives = [0, 1].map((i) => ({ id: String(i), capacityBytes: 64 * MiB, mediaType: 'SSD', protocol: 'SAS' }));
  ({ config, file: configFile } = testConfig(dir, {
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: join(dir, 'pool') } },
    lab: {
      createMissingDomains: true,
      rebuildSeconds: 20,
      systems: [{ id: 's1', domain: domainName, vcpus: 1, memoryMiB: 64, storage: [{ id: 'RAID', drives }] }],
    },
  }));
  libvirt = await LibvirtClient.connect('qemu:///system');
  // The recording: a mirror, one of its drives failed and replaced, and the rebuild that follows.
  emulator = await startEmulator(config, { resyncIntervalMs: 500, settleWaitMs: 60_000 });
  await emulator.lab!.ready;
  expect(
    (
      await request('POST', `${STORAGE}/Volumes`, {
        RAIDType: 'RAID1',
        CapacityBytes: 16 * MiB,
        Links: { Drives: [drive(0), drive(1)] },
      })
    ).status,
  ).toBe(201);
  expect((await request('POST', '/emulator/v1/Systems/s1/Storage/RAID/Drives/1/fail')).status).toBe(200);
  expect(
    (await request('POST', '/emulator/v1/Systems/s1/Storage/RAID/Drives/1/replace', { SerialNumber: 'NEW-1' })).status,
  ).toBe(200);
  // The rebuild ends (rebuildSeconds) with the mirror healthy again.
  const deadline = Date.now() + 60_000;
  while ((await get(`${STORAGE}/Volumes/1`))['Status']?.['Health'] !== 'OK') {
    if (Date.now() > deadline) throw new Error('the mirror did not rebuild within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await emulator.close();
  emulator = undefined;
  const exported = runCli(['scenario', 'export', '--config', configFile, '-o', scenarioFile]);
  expect(exported.code, exported.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  for (const run of running) run.child.kill('SIGKILL');
  await emulator?.close();
  await removeSandboxObjects(libvirt, await findSandboxObjects(libvirt, ofThisLab)).catch(() => undefined);
  await removeLabByName(libvirt, { domain: domainName, pool: poolName });
  await libvirt?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('an interrupted replay', { timeout: 180_000 }, () => {
  it('stops at Ctrl-C while it waits for the rebuild, removes its sandbox, prints the partial report and exits 130', async () => {
    const run = replay('--progress');
    await run.stderrMatches(WAITING_FOR_REBUILD);
    expect(await sandboxes()).toHaveLength(2);
    run.child.kill('SIGINT');
    expect(await run.exited, run.output.stderr).toBe(130);
    expect(run.output.stderr).toMatch(/SIGINT: stopping at the current step and removing the sandbox/);
    expect(run.output.stdout).toMatch(/^INTERRUPTED at step \d+ of \d+ steps \(\d+ setup\), \d+ events/);
    expect(run.output.stdout).toMatch(/sandbox removed$/m);
    expect(await sandboxes()).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.startsWith('pool-replay-'))).toEqual([]);
  });

  it('interrupted while its sandbox is being made, leaves none of it', async () => {
    const run = replay('--progress');
    await run.stderrMatches(/^sandbox: pool /m);
    run.child.kill('SIGINT');
    expect(await run.exited, run.output.stderr).toBe(130);
    expect(run.output.stdout).toMatch(/^INTERRUPTED at step 0 of \d+ steps/);
    expect(await sandboxes()).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.startsWith('pool-replay-'))).toEqual([]);
  });

  it('as JSON, the partial report says where it stopped; SIGTERM exits 143', async () => {
    const run = replay('--json');
    // Piped and without --progress: nothing drawn, only the lab's own messages.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    run.child.kill('SIGTERM');
    expect(await run.exited, run.output.stderr).toBe(143);
    expect(run.output.stderr).not.toMatch(/replay: step/);
    const report = JSON.parse(run.output.stdout) as {
      equal: boolean;
      interrupted?: { atStep: number; steps: number };
      sandbox: { kept: boolean };
    };
    expect(report.equal).toBe(false);
    expect(report.interrupted).toMatchObject({ steps: expect.any(Number) });
    expect(await sandboxes()).toEqual([]);
  });

  it('killed, leaves its sandbox, which scenario sandboxes lists and --remove removes, and nothing else', async () => {
    const run = replay('--progress');
    await run.stderrMatches(WAITING_FOR_REBUILD);
    run.child.kill('SIGKILL');
    await run.exited;
    const left = await sandboxes();
    expect(left).toHaveLength(2);

    const listed = runCli(['scenario', 'sandboxes', '--config', configFile]);
    expect(listed.code, listed.stderr).toBe(0);
    for (const name of left) expect(listed.stdout).toContain(name);
    expect(listed.stdout).toMatch(/2 sandbox objects; --remove removes them/);
    const poolDir = readdirSync(dir).filter((name) => name.startsWith('pool-replay-'));
    expect(poolDir).toHaveLength(1);

    const removed = runCli(['scenario', 'sandboxes', '--config', configFile, '--remove']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(await sandboxes()).toEqual([]);
    expect(existsSync(join(dir, poolDir[0]!))).toBe(false);
    // The live lab's domain and pool, named as the sandbox's were without the suffix, are still there.
    expect((await libvirt.listAllDomains()).map((d) => d.name)).toContain(domainName);
    expect((await libvirt.listAllStoragePools()).map((p) => p.name)).toContain(poolName);
    expect(existsSync(join(dir, 'pool'))).toBe(true);
    expect(runCli(['scenario', 'sandboxes', '--config', configFile]).stdout).toMatch(/no sandbox left in libvirt/);
  });

  it('a second Ctrl-C exits at once and says what it left', async () => {
    const run = replay('--progress');
    // Interrupted while its sandbox lab starts, a replay waits for the start to finish before it
    // removes anything: the second signal, sent once the first is seen taken, lands in that wait
    // (defining a pool and a domain takes far longer than the signal takes to arrive).
    await run.stderrMatches(/^sandbox: pool /m);
    run.child.kill('SIGINT');
    await run.stderrMatches(/SIGINT: stopping/);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.output.stderr).toMatch(
      /interrupted again: stopping now\. Left in place: store in .*, pool .*-replay-[0-9a-f]{6}, domains .*-replay-[0-9a-f]{6}/,
    );
    expect(runCli(['scenario', 'sandboxes', '--config', configFile, '--remove']).code).toBe(0);
    expect(await sandboxes()).toEqual([]);
  });
});
