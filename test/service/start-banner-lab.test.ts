import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { removeLabByName, uniqueName } from '../support/libvirt.js';
import { eventually } from '../support/eventually.js';
import { startEmulatorProcess, stopEmulatorProcess } from '../support/emulator-process.js';

/* The start banner's lab lines, on qemu:///system: what a first start defined, and a second found. */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-banner-lab-'));
const poolName = uniqueName('pool');
const domainName = uniqueName('banner');
const poolPath = join(dir, 'pool');
let libvirt: LibvirtClient;

beforeAll(async () => {
  chmodSync(dir, 0o755);
  libvirt = await LibvirtClient.connect('qemu:///system');
});

afterAll(async () => {
  await removeLabByName(libvirt, { domain: domainName, pool: poolName });
  await libvirt.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The lab lines a start printed (waiting for the domains' line), once it has been stopped. */
async function labLines(config: string): Promise<string[]> {
  const emulator = await startEmulatorProcess(config);
  try {
    await eventually(() => /lab: \w+ the domains of/.test(emulator.output()), 'the lab lines', 60_000);
  } finally {
    await stopEmulatorProcess(emulator);
  }
  return emulator
    .output()
    .split('\n')
    .filter((line) => line.startsWith('redfish-emulator: lab: '));
}

describe('the start banner on a lab', { timeout: 120_000 }, () => {
  it('says the pool and domains were defined at the first start, and found at the next', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataDir: 'data',
        listen: { port: 0 },
        tls: false,
        libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: poolPath } },
        lab: { createMissingDomains: true, systems: [{ id: 'm1', domain: domainName, memoryMiB: 64 }] },
      }),
    );
    expect(await labLines(config)).toEqual([
      `redfish-emulator: lab: defined the storage pool ${poolName} (${poolPath}) on qemu:///system`,
      'redfish-emulator: lab: defined the domains of m1',
    ]);
    expect(await labLines(config)).toEqual([
      `redfish-emulator: lab: found the storage pool ${poolName} (${poolPath}) on qemu:///system`,
      `redfish-emulator: lab: found the domains of m1 (${domainName})`,
    ]);
  });
});
