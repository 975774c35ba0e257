/**
 * The demo lab's VMs (config/default.json) for a benchmark's lab on libvirt's test:///default:
 * domain names of their own, no root disks (the test driver makes none), little memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LibvirtClient } from '../src/libvirt/client.js';
import { removeDomainByName, removePoolByName } from '../src/lab/remove-lab-objects.js';
import { projectRoot } from '../src/project-root.js';
import { uniqueName } from '../test/support/libvirt.js';

export const DEMO_VMS_URI = 'test:///default';

/** The shipped demo systems, each with a domain named after `prefix`. */
export function demoVms(prefix: string): ({ domain: string } & Record<string, unknown>)[] {
  const shipped = JSON.parse(readFileSync(join(projectRoot(), 'config', 'default.json'), 'utf8')) as {
    lab: { systems: Record<string, unknown>[] };
  };
  return shipped.lab.systems.map(({ rootDiskGiB: _rootDisk, ...system }) => ({
    ...system,
    domain: uniqueName(`${prefix}-${system['id']}`),
    memoryMiB: 64,
  }));
}

/** Removes the demo VMs' domains and the lab's pool from the test driver. */
export async function removeDemoVms(domains: readonly string[], poolName: string): Promise<void> {
  const libvirt = await LibvirtClient.connect(DEMO_VMS_URI);
  try {
    for (const domain of domains) await removeDomainByName(libvirt, domain);
    await removePoolByName(libvirt, poolName);
  } finally {
    await libvirt.close();
  }
}
