import { describe, expect, it } from 'vitest';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';
import { openConfiguredStore } from '../../src/open-configured-store.js';
import { labSystems } from '../../src/lab/lab-systems.js';
import { registerSystems } from '../../src/lab/register-systems.js';
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
});
