import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { useTempDirs } from '../support/temp-dir.js';
import { labSystems } from '../../src/lab/lab-systems.js';
import { SIMULATED_URI } from '../../src/libvirt/simulated-hypervisor.js';

const tempDir = useTempDirs();
const drive = { id: '0', capacityBytes: 2 ** 30, mediaType: 'SSD', protocol: 'SAS' };

/** The embedded default's demo lab (node-1..3) with these simulated sections. */
function load(simulated: unknown[]) {
  const file = join(tempDir(), 'config.json');
  writeFileSync(file, JSON.stringify({ lab: { simulated } }));
  return loadConfig({ file, env: {} });
}

/** The configuration error a start would exit with, status 2. */
function refusal(simulated: unknown[]): string {
  try {
    load(simulated);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitStatus).toBe(2);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('simulated sections', () => {
  it('make systems on the simulated host from the pattern and the template, beside the configured ones', () => {
    const config = load([
      {
        count: 3,
        start: 9,
        id: 'sim-{index:3}',
        name: 'Simulated {index}',
        template: {
          vcpus: 8,
          memoryMiB: 4096,
          nics: 2,
          serialNumber: 'SN-{index}',
          storage: [{ id: 'RAID', drives: [drive] }],
        },
        powerSeconds: { min: 1, max: 5 },
      },
      { id: 'lone', powerSeconds: 2, virtualMedia: 'fetch' },
    ]);
    const systems = labSystems(config);
    expect(systems.map((s) => s.id)).toEqual(['node-1', 'node-2', 'node-3', 'sim-009', 'sim-010', 'sim-011', 'lone']);
    const [first, second, third, lone] = systems.slice(3);
    expect(first).toMatchObject({
      name: 'Simulated 9',
      libvirtUri: SIMULATED_URI,
      domainName: 'sim-009',
      vcpus: 8,
      memoryMiB: 4096,
      inventory: { serialNumber: 'SN-9' },
      powerSeconds: { min: 1, max: 5 },
      virtualMedia: 'record',
    });
    expect(first!.config.storage![0]!.drives).toEqual([drive]);
    expect(lone).toMatchObject({ powerSeconds: { min: 2, max: 2 }, virtualMedia: 'fetch', domainName: 'lone' });
    // The same at every start, and different for every system and NIC.
    expect(labSystems(config)[3]!.uuid).toBe(first!.uuid);
    expect(new Set([first, second, third, lone].map((s) => s!.uuid)).size).toBe(4);
    const macs = [first, second, third].flatMap((s) => s!.macs!);
    expect(macs).toHaveLength(6);
    expect(new Set(macs).size).toBe(6);
    for (const mac of macs) expect(mac).toMatch(/^02(:[0-9a-f]{2}){5}$/);
  });

  it("refuses ids that collide with a configured system's or another section's, naming the key", () => {
    expect(refusal([{ count: 5, id: 'node-{index}' }])).toBe(
      "invalid configuration: lab.simulated[0].id: 'node-1' (index 1) is already the id of lab.systems[0]",
    );
    expect(refusal([{ count: 5, id: 'sim-{index}' }, { id: 'sim-3' }])).toBe(
      "invalid configuration: lab.simulated[1].id: 'sim-3' (index 1) is already the id of lab.simulated[0] (index 3)",
    );
    expect(refusal([{ count: 2, id: 'sim' }])).toBe(
      "invalid configuration: lab.simulated[0].id: 'sim' has no {index}, so its 2 systems would share one id",
    );
  });

  it('refuses impossible hardware, a reversed power range and a count beyond the bound, naming the key', () => {
    expect(refusal([{ id: 's', template: { vcpus: 0 } }])).toMatch(
      /lab\.simulated\[0\]\.template\.vcpus: must be >= 1/,
    );
    expect(refusal([{ id: 's', template: { memoryMiB: -1 } }])).toMatch(
      /lab\.simulated\[0\]\.template\.memoryMiB: must be >= 16/,
    );
    expect(
      refusal([{ id: 's', template: { storage: [{ id: 'RAID', drives: [{ ...drive, capacityBytes: 0 }] }] } }]),
    ).toMatch(/lab\.simulated\[0\]\.template\.storage\[0\]\.drives\[0\]\.capacityBytes: must be >= 1048576/);
    expect(refusal([{ count: 100_000, id: 's-{index}' }])).toMatch(/lab\.simulated\[0\]\.count: must be <= 20000/);
    expect(refusal([{ id: 's', powerSeconds: { min: 5, max: 1 } }])).toBe(
      'invalid configuration: lab.simulated[0].powerSeconds: min (5) is more than max (1)',
    );
    expect(refusal([{ id: 's', unknownKey: 1 }])).toMatch(/lab\.simulated\[0\]\.unknownKey: unknown key/);
  });
});
