import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { PROJECTION_VERSION, projectors } from '../../src/projections/catalog.js';
import { loadConfig } from '../../src/config/load-config.js';
import { projectRoot } from '../../src/project-root.js';
import { runCli } from '../support/run-cli.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

/** A store of one event in `dataDir`. */
function storeIn(dataDir: string): void {
  const { store } = openEventStore({
    file: join(dataDir, 'events.db'),
    projectors,
    projectionVersion: PROJECTION_VERSION,
  });
  store.append({
    streamId: '/redfish/v1/Systems/a',
    expectedVersion: 0,
    events: [{ type: 'PowerStateObserved', data: { state: 'On' } }],
    meta: { actor: 'libvirt-observer' },
  });
  store.db.close();
}

describe('paths in the configuration', () => {
  it("takes a config file's relative paths from the file's directory, whatever the current one", () => {
    const etc = tempDir();
    const file = join(etc, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        dataDir: 'state',
        auth: { enabled: true, htpasswdFile: 'htpasswd' },
        log: { file: '../log/service.log' },
      }),
    );
    const config = loadConfig({ file, env: {} });
    expect(config.dataDir).toBe(join(etc, 'state'));
    expect(config.auth.htpasswdFile).toBe(join(etc, 'htpasswd'));
    expect(config.log?.file).toBe(join(etc, '..', 'log', 'service.log'));
  });

  it("keeps the embedded default's data directory in the checkout; the command line and environment are from the current directory", () => {
    expect(loadConfig({ env: {} }).dataDir).toBe(join(projectRoot(), 'data'));
    expect(loadConfig({ env: { REDFISH_EMULATOR_DATA_DIR: 'here' } }).dataDir).toBe(join(process.cwd(), 'here'));
    expect(loadConfig({ env: {}, overrides: { dataDir: '/srv/rfe' } }).dataDir).toBe('/srv/rfe');
  });

  it('lets the history command, run from anywhere, read the store of the config a service runs with', () => {
    const etc = tempDir();
    mkdirSync(join(etc, 'state'));
    storeIn(join(etc, 'state'));
    const file = join(etc, 'config.json');
    writeFileSync(file, JSON.stringify({ dataDir: 'state' }));
    const elsewhere = tempDir();
    for (const run of [
      runCli(['history', '--config', file, '--json'], {}, elsewhere),
      runCli(['history', '--json'], { REDFISH_EMULATOR_CONFIG: file }, elsewhere),
    ]) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('"PowerStateObserved"');
    }
  });
});
