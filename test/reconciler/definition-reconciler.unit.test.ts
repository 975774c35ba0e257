import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../src/eventstore/database.js';
import { migrate } from '../../src/eventstore/migrations.js';
import { EventStore } from '../../src/eventstore/event-store.js';
import { LoopHealth } from '../../src/health/loop-health.js';
import { withLoopFailures } from '../../src/health/loop-status.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import { BIOS_DEFAULTS } from '../../src/domain/system/bios-attributes.js';
import { demoDomainXml } from '../../src/libvirt/xml/demo-domain-xml.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { withBootOrder } from '../../src/libvirt/xml/boot-order.js';
import { withFirmware } from '../../src/libvirt/xml/firmware.js';
import type { DomainHandle } from '../../src/libvirt/structs.js';
import type { LabSystem } from '../../src/lab/lab-systems.js';
import { DomainLocks } from '../../src/reconciler/domain-locks.js';
import { DefinitionReconciler } from '../../src/reconciler/definition-reconciler.js';
import type { DefinitionClient } from '../../src/reconciler/redefine-domain.js';
import { useTempDirs } from '../support/temp-dir.js';

/*
 * The level-triggered reconcile of a domain's definition, against an in-memory stand-in for the
 * three libvirt calls it makes (test/reconciler/definition-convergence.test.ts does the same on
 * the real libvirtd): it converges what was changed behind its back, defines nothing when
 * nothing differs, retries a failure with backoff while the system shows it, and waits for a
 * change to the domain that is in flight.
 */

const tempDir = useTempDirs();
const SYSTEM: LabSystem = { id: 's1', domainName: 'rfe-s1', libvirtUri: 'test:///fake' } as LabSystem;
const STREAM = systemStream('s1');

/** A domain libvirt holds: its persistent XML, each define, and defines that fail while `refusals` lasts. */
class FakeDomain implements DefinitionClient {
  defines: { at: number; xml: string }[] = [];
  refusals = 0;
  constructor(public xml: string) {}
  async domainLookupByName(name: string): Promise<DomainHandle> {
    return { name, uuid: Buffer.alloc(16), id: -1 };
  }
  reads = 0;
  async domainGetXml(): Promise<string> {
    this.reads += 1;
    return this.xml;
  }
  async domainDefineXml(xml: string): Promise<DomainHandle> {
    this.defines.push({ at: Date.now(), xml });
    if (this.refusals > 0) {
      this.refusals -= 1;
      throw new Error('virDomainDefineXML: internal error: the daemon refused the definition');
    }
    this.xml = xml;
    return this.domainLookupByName('rfe-s1');
  }
}

function setUp(events: { type: string; data: unknown }[]) {
  const db = openDatabase(join(tempDir(), 'events.db'));
  migrate(db);
  const store = new EventStore(db, { projectors: [] });
  if (events.length > 0) store.append({ streamId: STREAM, expectedVersion: 0, events });
  const domain = new FakeDomain(
    demoDomainXml({
      name: 'rfe-s1',
      uuid: '6a1d2c36-0a4e-4a55-9d3f-2f0b8c7e5a10',
      memoryMiB: 64,
      vcpus: 1,
      mac: '52:54:00:00:00:01',
    }),
  );
  const lines: string[] = [];
  const health = new LoopHealth((line) => lines.push(line));
  const locks = new DomainLocks();
  const definitions = new DefinitionReconciler(
    store,
    { get: async () => domain },
    locks,
    health,
    (l) => lines.push(l),
    {
      httpBootImages: true,
    },
  );
  return { store, domain, health, lines, locks, definitions };
}

/** What a client set: a continuous PXE override, UEFI boot mode, BIOS settings reset to their defaults. */
const CLIENT_SET = [
  { type: 'BootOverrideChanged', data: { target: 'Pxe', enabled: 'Continuous' } },
  { type: 'BootModeChanged', data: { mode: 'UEFI' } },
  { type: 'BiosReset', data: {} },
];

afterEach(() => {
  vi.useRealTimers();
});

describe('the domain definition reconcile', () => {
  it('converges a definition changed behind its back on the next resync, then defines nothing while it holds', async () => {
    const { store, domain, definitions, lines, health } = setUp([]);
    await definitions.reconcile(SYSTEM);
    expect(domain.defines).toEqual([]);
    // What a client sets is carried out without a word.
    store.append({ streamId: STREAM, expectedVersion: 0, events: CLIENT_SET });
    await definitions.reconcile(SYSTEM);
    expect(domain.defines).toHaveLength(1);
    expect(lines).toEqual([]);
    const converged = readDomainXml(domain.xml);
    expect(converged.bootDevices).toEqual(['network', 'hd']);
    expect(converged.firmware).toBe('UEFI');
    expect(converged.settings?.biosAttributes).toEqual(BIOS_DEFAULTS);

    // virsh edit: another boot order and BIOS firmware.
    domain.xml = withFirmware(withBootOrder(domain.xml, ['cdrom']), 'BIOS');
    await definitions.reconcile(SYSTEM);
    expect(domain.defines).toHaveLength(2);
    expect(readDomainXml(domain.xml)).toMatchObject({ bootDevices: ['network', 'hd'], firmware: 'UEFI' });
    expect(lines).toEqual([
      expect.stringMatching(/domain rfe-s1 differed from what the log says \(boot order, firmware\)/),
    ]);

    for (let i = 0; i < 5; i++) await definitions.reconcile(SYSTEM);
    expect(domain.defines).toHaveLength(2);
    expect(health.failing()).toEqual([]);
    await definitions.stop();
  });

  it('leaves a domain alone whose boot order, firmware and BIOS settings no client has set', async () => {
    const { domain, definitions } = setUp([{ type: 'IndicatorChanged', data: { led: 'Lit' } }]);
    domain.xml = withBootOrder(domain.xml, ['cdrom', 'fd']);
    await definitions.reconcile(SYSTEM);
    expect(domain.defines).toEqual([]);
    // Nothing to compare: libvirt is not asked at every resync.
    expect(domain.reads).toBe(0);
    await definitions.stop();
  });

  it('retries a refused definition with backoff (1 s doubling to 30 s), showing it on the system until it goes through', async () => {
    vi.useFakeTimers();
    const { store, domain, definitions, health, lines } = setUp([]);
    await definitions.reconcile(SYSTEM);
    store.append({ streamId: STREAM, expectedVersion: 0, events: CLIENT_SET });
    domain.refusals = 7;
    const start = Date.now();
    await definitions.reconcile(SYSTEM);

    const system = JSON.stringify({ '@odata.id': STREAM, Status: { State: 'Enabled', Health: 'OK' } });
    const shown = JSON.parse(withLoopFailures(STREAM, system, health.failing())) as {
      Status: { Health: string; Conditions: { MessageId: string; Message: string }[] };
    };
    expect(shown.Status.Health).toBe('Warning');
    expect(shown.Status.Conditions).toEqual([
      expect.objectContaining({
        MessageId: expect.stringMatching(/^ResourceEvent\.[\d.]+ResourceErrorsDetected$/),
        Message: expect.stringContaining('domain definition of s1 (rfe-s1 on test:///fake): virDomainDefineXML'),
      }),
    ]);

    await vi.advanceTimersByTimeAsync(120_000);
    const waits = domain.defines.map((d, i) => d.at - (i === 0 ? start : domain.defines[i - 1]!.at));
    expect(waits).toEqual([0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(readDomainXml(domain.xml).bootDevices).toEqual(['network', 'hd']);
    expect(health.failing()).toEqual([]);
    expect(withLoopFailures(STREAM, system, health.failing())).toBe(system);
    expect(lines).toEqual([
      expect.stringMatching(/^domain definition of s1 .*: failing on \/redfish\/v1\/Systems\/s1: virDomainDefineXML/),
      expect.stringMatching(/^domain definition of s1 .*: recovered after 7 failed attempts/),
    ]);
    // Converged: the next rounds define nothing, and no retry is left waiting.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(domain.defines).toHaveLength(8);
    await definitions.stop();
  });

  it('waits for a change to the domain in flight and keeps what it added', async () => {
    const { domain, definitions, locks } = setUp(CLIENT_SET);
    let release!: () => void;
    const attach = locks.exclusive(SYSTEM, async () => {
      const before = domain.xml;
      await new Promise<void>((resolve) => (release = resolve));
      domain.xml = before.replace(
        '</devices>',
        "<disk type='file' device='disk'><target dev='sdaa' bus='scsi'/></disk></devices>",
      );
    });
    const round = definitions.reconcile(SYSTEM);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(domain.defines).toEqual([]);
    release();
    await Promise.all([attach, round]);
    const definition = readDomainXml(domain.xml);
    expect(definition.disks.map((d) => d.targetDev)).toContain('sdaa');
    expect(definition.bootDevices).toEqual(['network', 'hd']);
    await definitions.stop();
  });

  it('puts nothing right while the domain is missing, and converges once it is seen again', async () => {
    const { store, domain, definitions, health } = setUp([...CLIENT_SET, { type: 'DomainMissingObserved', data: {} }]);
    await definitions.reconcile(SYSTEM);
    expect(domain.defines).toEqual([]);
    expect(health.failing()).toEqual([]);
    store.append({
      streamId: STREAM,
      expectedVersion: 4,
      events: [{ type: 'PowerStateObserved', data: { powerState: 'Off' } }],
    });
    await definitions.reconcile(SYSTEM);
    expect(domain.defines).toHaveLength(1);
    await definitions.stop();
  });
});
