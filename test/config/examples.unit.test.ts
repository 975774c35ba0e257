import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load-config.js';
import { labSystems } from '../../src/lab/lab-systems.js';

const examples = fileURLToPath(new URL('../../config/examples/', import.meta.url));
const files = readdirSync(examples).filter((name) => name.endsWith('.json'));

describe('the example configs', () => {
  it('are there', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'ironic-lab.json',
        'adopt-existing-vms.json',
        'remote-libvirt-ssh.json',
        'multi-host-lab.json',
      ]),
    );
  });

  it.each(files)('%s passes the schema check', (name) => {
    const config = loadConfig({ file: join(examples, name), env: {} });
    expect(config.lab).toBeDefined();
  });

  it('the Ironic lab gives every machine what Ironic inspects: memory, a root disk of 4 GiB or more, a maker identity', () => {
    const systems = labSystems(loadConfig({ file: join(examples, 'ironic-lab.json'), env: {} }));
    for (const system of systems) {
      expect(system.memoryMiB).toBeGreaterThanOrEqual(1024);
      expect(system.rootDiskGiB).toBeGreaterThanOrEqual(4);
      expect(system.inventory.serialNumber).toMatch(/^LAB-/);
    }
    expect(systems.map((s) => s.network.type)).toEqual(['network', 'network', 'bridge']);
  });
});
