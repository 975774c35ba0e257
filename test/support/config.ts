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
