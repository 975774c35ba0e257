import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniqueName } from '../support/libvirt.js';

/** The shipped demo lab in a test's own corner: its config file and the libvirt names it will make. */
export interface DemoLab {
  readonly configFile: string;
  readonly dataDir: string;
  readonly poolName: string;
  /** System id → its unique domain name. */
  readonly domains: Readonly<Record<string, string>>;
}

/**
 * config/default.json with only what a test must change: a temp data dir, any free port, a pool
 * and domains of its own (unique names, the pool under `dir`). The hardware stays as shipped.
 */
export function demoLab(dir: string): DemoLab {
  const shipped = JSON.parse(
    readFileSync(fileURLToPath(new URL('../../config/default.json', import.meta.url)), 'utf8'),
  ) as Record<string, any>;
  delete shipped['$schema'];
  const poolName = uniqueName('ironic-pool');
  const prefix = uniqueName('ironic');
  const domains: Record<string, string> = {};
  for (const system of shipped['lab']['systems'] as { id: string; domain: string }[])
    system.domain = domains[system.id] = `${prefix}-${system.id}`;
  const dataDir = join(dir, 'data');
  const config = {
    ...shipped,
    dataDir,
    listen: { ...shipped['listen'], port: 0 },
    libvirt: { ...shipped['libvirt'], pool: { name: poolName, path: join(dir, 'pool') } },
  };
  const configFile = join(dir, 'emulator.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return { configFile, dataDir, poolName, domains };
}
