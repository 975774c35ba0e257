import { afterEach, describe, expect, it } from 'vitest';
import { configDrives, testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';
import { openConfiguredStore } from '../../src/open-configured-store.js';
import { ensureServiceCreated } from '../../src/service-identity.js';
import { labSystems } from '../../src/lab/lab-systems.js';
import { registerSystems } from '../../src/lab/register-systems.js';
import { LabRuntime } from '../../src/lab/lab-runtime.js';
import { LoopHealth } from '../../src/health/loop-health.js';
import { SimulatedHypervisor } from '../../src/libvirt/simulated-hypervisor.js';
import { LibvirtError } from '../../src/libvirt/errors.js';
import { ErrorCode, DomainXmlFlag } from '../../src/libvirt/constants.js';
import { executeCommand } from '../../src/eventstore/execute-command.js';
import { systemDecider, type SystemCommand } from '../../src/domain/system/system-decider.js';
import { storageDecider, type StorageCommand } from '../../src/domain/storage/storage-decider.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import { storageStream } from '../../src/domain/storage/storage-events.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import type { EventStore } from '../../src/eventstore/event-store.js';

/**
 * The reconcilers on the simulated host, with its calls scripted to fail once or to hang: what
 * they do when the host fails under them, and after a crash in the middle of a step, without a
 * libvirt daemon.
 */
const tempDir = useTempDirs();
const SYSTEM = systemStream('sim-1');
const STORAGE = storageStream('sim-1', 'RAID');
const drive = (i: number) => `${STORAGE}/Drives/${i}`;
const hostError = (message: string) =>
  new LibvirtError({ code: ErrorCode.OperationFailed, domain: 0, message, level: 2 }, 'scripted');

/** Waits until `check` passes, retrying it; fails with its last failure after `ms`. */
async function until(check: () => unknown, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

function simulatedLab(powerSeconds = 0, count = 1) {
  const dir = tempDir();
  const { config } = testConfig(dir, {
    // The simulated host only: nothing outside the test's process.
    libvirt: { uri: 'simulated:///', pool: { name: 'sim-pool', path: `${dir}/pool` } },
    lab: {
      systems: [],
      simulated: [
        {
          count,
          id: 'sim-{index}',
          template: {
            storage: [
              {
                id: 'RAID',
                drives: configDrives(2, 2 ** 30),
              },
            ],
          },
          powerSeconds,
        },
      ],
    },
  });
  const { store } = openConfiguredStore(config);
  ensureServiceCreated(store);
  const systems = labSystems(config);
  registerSystems(store, systems);
  const host = new SimulatedHypervisor({ powerDelayMs: () => powerSeconds * 1000 });
  /** A lab on the store and host; `crashed` ones are never closed (a call of theirs never returns). */
  const start = (crashed = false) => {
    const lab = new LabRuntime(store, config, systems, () => undefined, new LoopHealth(() => undefined), {
      resyncIntervalMs: 60_000,
      retryMs: 100,
      simulatedHost: host,
    });
    if (!crashed) opened.push(lab);
    return lab;
  };
  opened.push({
    close: async () => {
      store.db.close();
    },
  });
  return { store, host, start };
}

const system = (store: EventStore, command: SystemCommand) =>
  executeCommand(store, SYSTEM, systemDecider, command, { actor: 'test' });
const storage = (store: EventStore, command: StorageCommand) =>
  executeCommand(store, STORAGE, storageDecider, command, { actor: 'test' });
const typesAfter = (store: EventStore, position: number) => store.readAfter(position, 1000).map((e) => e.type);
const view = (store: EventStore, id: string) => JSON.parse(store.views.get(id)!.body) as Record<string, any>;

async function disksOf(host: SimulatedHypervisor) {
  const domain = await host.domainLookupByName('sim-1');
  return readDomainXml(await host.domainGetXml(domain, DomainXmlFlag.Inactive)).disks.filter(
    (d) => d.device === 'disk',
  );
}

const createVolume = (store: EventStore, taskId: string) =>
  storage(store, {
    type: 'CreateVolume',
    taskId,
    applyTime: 'Immediate',
    request: { raidType: 'RAID1', drives: [drive(0), drive(1)], capacityBytes: 2 ** 28 },
  });

describe('the system reconciler on the simulated host', () => {
  it('records a reset whose host call fails as failed, and carries out the next one', async () => {
    const { store, host, start } = simulatedLab();
    await start().ready;
    host.scripted.failNext('domainCreate', hostError('the host refused'));
    const before = store.lastPosition();
    system(store, { type: 'ResetSystem', resetType: 'On' });
    await until(() => expect(typesAfter(store, before)).toContain('ResetFailed'));
    expect(store.readAfter(before, 100).find((e) => e.type === 'ResetFailed')!.data).toMatchObject({
      message: expect.stringContaining('the host refused'),
    });
    expect(view(store, SYSTEM)['PowerState']).toBe('Off');

    system(store, { type: 'ResetSystem', resetType: 'On' });
    await until(() => expect(view(store, SYSTEM)['PowerState']).toBe('On'));
    expect(typesAfter(store, before)).toEqual(
      expect.arrayContaining(['ResetApplied', 'PowerStateObserved', 'SystemBooted']),
    );
  });

  it('shows a power change only once the host has made it: the configured seconds later', async () => {
    const { store, start } = simulatedLab(0.6);
    await start().ready;
    const before = store.lastPosition();
    const asked = Date.now();
    system(store, { type: 'ResetSystem', resetType: 'On' });
    await until(() => expect(typesAfter(store, before)).toContain('ResetApplied'));
    expect(view(store, SYSTEM)['PowerState']).toBe('Off');
    await until(() => expect(view(store, SYSTEM)['PowerState']).toBe('On'));
    expect(Date.now() - asked).toBeGreaterThanOrEqual(550);
  });

  it("carries out one system's reset while another's host call hangs, and after a restart neither twice", async () => {
    const { store, host, start } = simulatedLab(0, 2);
    const first = start(true);
    await first.ready;
    const reset = (id: string) =>
      executeCommand(
        store,
        systemStream(id),
        systemDecider,
        { type: 'ResetSystem', resetType: 'On' },
        { actor: 'test' },
      );
    const applied = (id: string) =>
      store.readAfter(0, 10_000).filter((e) => e.streamId === systemStream(id) && e.type === 'ResetApplied').length;
    const hung = host.scripted.holdNext('domainCreate');
    reset('sim-1');
    await hung.reached;
    reset('sim-2');
    await until(() => expect(view(store, systemStream('sim-2'))['PowerState']).toBe('On'));
    expect(view(store, systemStream('sim-1'))['PowerState']).toBe('Off');

    // The emulator dies with sim-1's call hanging: a restart carries out sim-1's reset, not sim-2's again.
    void first.close();
    await start().ready;
    await until(() => expect(view(store, systemStream('sim-1'))['PowerState']).toBe('On'));
    expect([applied('sim-1'), applied('sim-2')]).toEqual([1, 1]);
  });
});

describe('the storage reconciler on the simulated host', () => {
  it('leaves no backing volume behind when the attach fails, and the next create completes', async () => {
    const { store, host, start } = simulatedLab();
    await start().ready;
    host.scripted.failNext('domainAttachDevice', hostError('no free slot'));
    const before = store.lastPosition();
    createVolume(store, 't1');
    await until(() => expect(view(store, `${STORAGE}/Volumes`)['Members@odata.count']).toBe(0));
    expect(typesAfter(store, before)).toContain('VolumeOperationFailed');
    const pool = await host.poolLookupByName('sim-pool');
    expect(await host.poolListVolumes(pool)).toEqual([]);
    expect(await disksOf(host)).toEqual([]);

    createVolume(store, 't2');
    await until(() => expect(view(store, '/redfish/v1/TaskService/Tasks/t2')['TaskState']).toBe('Completed'));
    expect((await host.poolListVolumes(pool)).length).toBe(1);
    expect((await disksOf(host)).map((d) => d.serial)).toEqual([
      view(store, `${STORAGE}/Volumes/2`)['Identifiers'][0].DurableName,
    ]);
  });

  it('finishes a create cut short between its volume and its attach, once, after a restart', async () => {
    const { store, host, start } = simulatedLab();
    const first = start(true);
    await first.ready;
    const hung = host.scripted.holdNext('domainAttachDevice');
    createVolume(store, 't1');
    await hung.reached;
    const pool = await host.poolLookupByName('sim-pool');
    expect((await host.poolListVolumes(pool)).length).toBe(1);
    expect(await disksOf(host)).toEqual([]);

    // The emulator dies here: its call never returns (its loops are stopped, the call left hanging).
    void first.close();
    await start().ready;
    await until(() => expect(view(store, '/redfish/v1/TaskService/Tasks/t1')['TaskState']).toBe('Completed'));
    expect((await host.poolListVolumes(pool)).length).toBe(1);
    const disks = await disksOf(host);
    expect(disks.map((d) => d.serial)).toEqual([view(store, `${STORAGE}/Volumes/1`)['Identifiers'][0].DurableName]);
    expect(typesAfter(store, 0).filter((t) => t === 'VolumeOperationCompleted')).toHaveLength(1);
  });
});

describe('a large lab on the simulated host', () => {
  it('lets the event loop turn between systems while it claims and observes them', async () => {
    const { store, start } = simulatedLab(0, 400);
    // The appends made between two turns of the event loop: requests are answered only at a turn.
    let sinceTurn = 0;
    let most = 0;
    let total = 0;
    const stopListening = store.commits.listen(() => {
      sinceTurn += 1;
      total += 1;
      most = Math.max(most, sinceTurn);
    });
    let observing = true;
    const turn = () => {
      sinceTurn = 0;
      if (observing) setImmediate(turn);
    };
    turn();
    try {
      await start().ready;
    } finally {
      observing = false;
      stopListening();
    }
    // The first observation of every system appends for each; a turn comes every few dozen systems.
    expect(total).toBeGreaterThan(400);
    expect(most).toBeLessThan(total / 4);
  });
});
