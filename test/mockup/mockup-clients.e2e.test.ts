import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const MOCKUPS = join(import.meta.dirname, '..', '..', '..', 'shared', 'redfish', 'mockups');
const SYSTEM = '/redfish/v1/Systems/437XR1138R2';

const running: RunningEmulator[] = [];
afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
});

async function serve(mockup: string): Promise<RunningEmulator> {
  const { config } = testConfig(tempDir(), { lab: { systems: [], mockup: { dir: join(MOCKUPS, mockup) } } });
  const emulator = await startEmulator(config);
  running.push(emulator);
  return emulator;
}

const python = (script: string) =>
  promisify(execFile)('/usr/bin/python3', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
const get = async (emulator: RunningEmulator, path: string) =>
  (await (await fetch(`${emulator.url}${path}`)).json()) as Record<string, any>;
const historyTypes = async (emulator: RunningEmulator, resource: string) =>
  (
    (await get(emulator, `/emulator/v1/History?resource=${encodeURIComponent(resource)}`))['Events'] as {
      type: string;
    }[]
  ).map((e) => e.type);

describe('clients driving a mockup lab', { timeout: 120_000 }, () => {
  it('sushy: power, boot override, BIOS settings applied at the reset, RAID volumes', async () => {
    const emulator = await serve('public-localstorage');
    const script = `
import json, sushy
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
s = c.get_system('${SYSTEM}')
out = {}
s.reset_system(sushy.ResetType.FORCE_OFF)
s.refresh(); out['off'] = s.power_state.value
s.set_system_boot_options(sushy.BootSource.PXE, enabled=sushy.BootSourceOverrideEnabled.ONCE)
s.refresh(); out['boot'] = [s.boot.target.value, s.boot.enabled.value]
s.bios.set_attributes({'ProcTurboMode': 'Enabled'})
out['pending'] = s.bios.pending_attributes.get('ProcTurboMode')
s.reset_system(sushy.ResetType.ON)
s.refresh(); s.bios.refresh()
out['on'] = s.power_state.value; out['turbo'] = s.bios.attributes.get('ProcTurboMode'); out['spent'] = s.boot.enabled.value
st = s.storage.get_members()[0]
drives = [d.path for d in st.drives][2:4]
v = st.volumes.create({'RAIDType': 'RAID1', 'CapacityBytes': 1073741824, 'Links': {'Drives': [{'@odata.id': d} for d in drives]}})
out['created'] = v.path
v.delete()
print(json.dumps(out))
`;
    const out = JSON.parse((await python(script)).stdout) as Record<string, unknown>;
    expect(out).toEqual({
      off: 'Off',
      boot: ['Pxe', 'Once'],
      pending: 'Enabled',
      on: 'On',
      turbo: 'Enabled',
      spent: 'Disabled',
      created: `${SYSTEM}/Storage/1/Volumes/4`,
    });
    expect((await fetch(`${emulator.url}${SYSTEM}/Storage/1/Volumes/4`)).status).toBe(404);
    // The system and everything below it: the import, then two resets, the override, the BIOS settings and what the boot did.
    const changes = (await historyTypes(emulator, SYSTEM)).filter((type) => type !== 'MockupResourceImported');
    expect(changes.filter((type) => type === 'MockupActionPerformed')).toHaveLength(2);
    expect(changes.filter((type) => type === 'MockupResourcePatched').length).toBeGreaterThanOrEqual(5);
    expect(await historyTypes(emulator, `${SYSTEM}/Storage/1/Volumes/4`)).toEqual([
      'MockupResourceCreated',
      'MockupResourceDeleted',
    ]);
  });

  it('redfishtool: reads the system and resets it', async () => {
    const emulator = await serve('public-rackmount1');
    const redfishtool = (...args: string[]) =>
      promisify(execFile)(
        'redfishtool',
        ['-r', new URL(emulator.url).host, '-u', 'admin', '-p', 'password', '-S', 'Never', ...args],
        { encoding: 'utf8', timeout: 30_000 },
      );
    const read = JSON.parse((await redfishtool('Systems', '-I', '437XR1138R2', 'get')).stdout) as Record<
      string,
      unknown
    >;
    expect(read).toMatchObject({ Id: '437XR1138R2', PowerState: 'On' });
    await redfishtool('Systems', '-I', '437XR1138R2', 'reset', 'ForceOff');
    expect((await get(emulator, SYSTEM))['PowerState']).toBe('Off');
    await redfishtool('Systems', '-I', '437XR1138R2', 'setBootOverride', 'Once', 'Pxe');
    expect((await get(emulator, SYSTEM))['Boot']).toMatchObject({
      BootSourceOverrideEnabled: 'Once',
      BootSourceOverrideTarget: 'Pxe',
    });
  });
});
