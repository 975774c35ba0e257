import { describe, expect, it, vi } from 'vitest';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';
import { openConfiguredStore } from '../../src/open-configured-store.js';
import { labSystems } from '../../src/lab/lab-systems.js';
import { registerSystemCommand, registerSystems } from '../../src/lab/register-systems.js';
import { executeCommand } from '../../src/eventstore/execute-command.js';
import { systemDecider } from '../../src/domain/system/system-decider.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ensureServiceCreated } from '../../src/service-identity.js';

const tempDir = useTempDirs();
const drives = [0, 1].map((i) => ({ id: String(i), capacityBytes: 2 ** 30, mediaType: 'HDD', protocol: 'SAS' }));

describe('registering the lab from its config', () => {
  it('records a system, its storage and firmware once, nothing at a start with the same config, and what a changed config changes', () => {
    const dir = tempDir();
    const lab = (name: string) => ({
      systems: [{ id: 'r1', name, domain: 'rfe-r1', storage: [{ id: 'RAID', drives }] }],
    });
    const { config } = testConfig(dir, { lab: lab('First') });
    const { store } = openConfiguredStore(config);
    try {
      ensureServiceCreated(store);
      registerSystems(store, labSystems(config));
      const types = store.readAfter(0, 100).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['SystemRegistered', 'StorageRegistered', 'FirmwareRegistered']));
      const registered = store.lastPosition();
      registerSystems(store, labSystems(config));
      expect(store.lastPosition()).toBe(registered);

      const renamed = loadConfig({ file: testConfig(dir, { lab: lab('Second') }).file, env: {} });
      expect(renamed.lab.systems[0]!.name).toBe('Second');
      registerSystems(store, labSystems(renamed));
      // The system's name, and the firmware named after it; the storage is as it was.
      expect(store.readAfter(registered, 100).map((e) => e.type)).toEqual(['SystemRegistered', 'FirmwareRegistered']);
      expect(store.readAfter(registered, 1)[0]!.data).toMatchObject({ name: 'Second' });
    } finally {
      store.db.close();
    }
  });

  it('reads no state at a start with the config last registered, and compares again once a registration was appended since', () => {
    const { config } = testConfig(tempDir(), {
      lab: { systems: [{ id: 'r1', name: 'First', domain: 'rfe-r1', storage: [{ id: 'RAID', drives }] }] },
    });
    const { store } = openConfiguredStore(config);
    try {
      ensureServiceCreated(store);
      const systems = labSystems(config);
      registerSystems(store, systems);
      const reads = vi.spyOn(store.views, 'get');
      registerSystems(store, systems);
      expect(reads.mock.calls.filter(([id]) => id.startsWith('#state'))).toEqual([]);

      // Another registration of the system (an older config's, say) since: the config's is recorded again.
      executeCommand(store, systemStream('r1'), systemDecider, {
        ...registerSystemCommand(systems[0]!),
        name: 'Older',
      });
      const before = store.lastPosition();
      registerSystems(store, systems);
      const recorded = store.readAfter(before, 100);
      expect(recorded.map((e) => e.type)).toEqual(['SystemRegistered']);
      expect(recorded[0]!.data).toMatchObject({ name: 'First' });
      expect(reads.mock.calls.some(([id]) => id.startsWith('#state'))).toBe(true);
    } finally {
      store.db.close();
    }
  });

  it("registers a simulated section's systems again when its template changes, and one its count adds", () => {
    const dir = tempDir();
    const section = (count: number, capacityBytes: number) => ({
      systems: [],
      simulated: [
        { count, id: 's-{index}', template: { storage: [{ id: 'RAID', drives: [{ ...drives[0]!, capacityBytes }] }] } },
      ],
    });
    const { config } = testConfig(dir, { lab: section(3, 2 ** 30) });
    const { store } = openConfiguredStore(config);
    try {
      ensureServiceCreated(store);
      registerSystems(store, labSystems(config));
      const registered = store.lastPosition();
      const reload = (lab: object) => loadConfig({ file: testConfig(dir, { lab }).file, env: {} });
      registerSystems(store, labSystems(reload(section(3, 2 ** 30))));
      expect(store.lastPosition()).toBe(registered);

      registerSystems(store, labSystems(reload(section(3, 2 ** 31))));
      const resized = store.readAfter(registered, 100);
      expect(resized.filter((e) => e.type === 'StorageRegistered').map((e) => e.streamId)).toEqual(
        ['s-1', 's-2', 's-3'].map((id) => `/redfish/v1/Systems/${id}/Storage/RAID`),
      );

      const before = store.lastPosition();
      registerSystems(store, labSystems(reload(section(4, 2 ** 31))));
      expect(new Set(store.readAfter(before, 100).map((e) => e.streamId))).toEqual(
        new Set(['/redfish/v1/Systems/s-4', '/redfish/v1/Systems/s-4/Storage/RAID']),
      );
    } finally {
      store.db.close();
    }
  });
});
