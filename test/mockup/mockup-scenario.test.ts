import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';
import { runCli } from '../support/run-cli.js';

const tempDir = useTempDirs();
const LOCALSTORAGE = join(import.meta.dirname, '..', '..', '..', 'shared', 'redfish', 'mockups', 'public-localstorage');
const SYSTEM = '/redfish/v1/Systems/437XR1138R2';

describe('a scenario recorded on a mockup lab', () => {
  it('replays on a fresh store made from the same tree to the same views', async () => {
    const dir = tempDir();
    const { config, file } = testConfig(dir, { lab: { systems: [], mockup: { dir: LOCALSTORAGE } } });
    const emulator = await startEmulator(config);
    const send = (method: string, path: string, body: unknown) =>
      fetch(`${emulator.url}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.status);
    try {
      expect(await send('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' })).toBe(204);
      expect(await send('PATCH', `${SYSTEM}/Bios/Settings`, { Attributes: { ProcTurboMode: 'Enabled' } })).toBe(200);
      expect(await send('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' })).toBe(204);
      expect(
        await send('POST', `${SYSTEM}/Storage/1/Volumes`, {
          RAIDType: 'RAID0',
          Name: 'scratch',
          Links: { Drives: [{ '@odata.id': '/redfish/v1/Chassis/1U/Drives/32ADF365C6C1B7BD' }] },
        }),
      ).toBe(201);
      expect(await send('DELETE', `${SYSTEM}/Storage/1/Volumes/1`, {})).toBe(204);
      // Refused before it became a command (a read-only property): in history, not a step of the scenario.
      expect(await send('PATCH', SYSTEM, { PowerState: 'On' })).toBe(400);
    } finally {
      await emulator.close();
    }
    const scenario = join(dir, 'scenario.ndjson');
    const exported = runCli(['scenario', 'export', '--config', file, '-o', scenario, '-q']);
    expect(exported.code, exported.stderr).toBe(0);
    const replayed = runCli([
      'scenario',
      'replay',
      scenario,
      '--config',
      file,
      '--data-dir',
      join(dir, 'replay'),
      '-q',
    ]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    expect(replayed.stdout).toMatch(/^EQUAL: 5 steps/m);
  });
});
