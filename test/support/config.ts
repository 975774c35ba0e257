import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import type { EmulatorConfig } from '../../src/config/config.js';

/**
 * A configuration for a test: the embedded default with `overrides` merged over it, a data
 * directory of the test's own, any free port, plain HTTP, no authentication and no lab unless the
 * test brings them (so no test touches the demo lab's domains or pool).
 */
export function testConfig(
  dir: string,
  overrides: Record<string, unknown> = {},
): { config: EmulatorConfig; file: string } {
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      dataDir: join(dir, 'data'),
      listen: { port: 0 },
      auth: { enabled: false },
      tls: false,
      lab: { systems: [] },
      ...overrides,
    }),
  );
  return { config: loadConfig({ file, env: {} }), file };
}

/**
 * The lab of the volume suites: one 64 MiB machine `s1` (domain `domainName`) on qemu:///system
 * with a RAID controller `RAID` of one 1 GiB HDD, its pool `poolName` in `poolDir`.
 */
export function oneDriveRaidLab(
  dir: string,
  lab: { domainName: string; poolName: string; poolDir: string },
): { config: EmulatorConfig; file: string } {
  return testConfig(dir, {
    libvirt: { uri: 'qemu:///system', pool: { name: lab.poolName, path: lab.poolDir } },
    lab: {
      createMissingDomains: true,
      systems: [
        {
          id: 's1',
          domain: lab.domainName,
          vcpus: 1,
          memoryMiB: 64,
          storage: [{ id: 'RAID', drives: [{ id: '0', capacityBytes: 2 ** 30, mediaType: 'HDD', protocol: 'SAS' }] }],
        },
      ],
    },
  });
}

/** `count` drives of a lab system's storage controller, ids "0", "1", …, each `capacityBytes` on SAS. */
export function configDrives(count: number, capacityBytes: number, mediaType: 'SSD' | 'HDD' = 'SSD') {
  return Array.from({ length: count }, (_, i) => ({ id: String(i), capacityBytes, mediaType, protocol: 'SAS' }));
}
