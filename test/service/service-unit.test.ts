import { describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { projectRoot } from '../../src/project-root.js';
import { EMULATOR_VERSION } from '../../src/version.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const root = projectRoot();
const unitFile = join(root, 'contrib', 'redfish-emulator.service');

/** scripts/install-command with its wrapper put in `binDir`. */
function installCommand(binDir: string) {
  return spawnSync(join(root, 'scripts', 'install-command'), {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], REDFISH_EMULATOR_BIN_DIR: binDir },
  });
}

/** The values of `key` in the unit file, in order. */
function unitValues(text: string, key: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

describe('the installed command and the service unit', () => {
  it('installs a redfish-emulator command that runs this build from any directory, and installing again changes nothing', () => {
    const binDir = join(tempDir(), 'bin');
    const first = installCommand(binDir);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`installed ${binDir}/redfish-emulator`);
    const command = join(binDir, 'redfish-emulator');
    const written = statSync(command).mtimeMs;
    const again = installCommand(binDir);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('');
    expect(statSync(command).mtimeMs).toBe(written);
    const version = spawnSync(command, ['--version'], {
      encoding: 'utf8',
      cwd: tempDir(),
      env: { PATH: '/usr/bin:/bin' },
    });
    expect(version.stdout.trim()).toBe(`redfish-emulator ${EMULATOR_VERSION}`);
  });

  it('leaves alone a redfish-emulator that is not its wrapper', () => {
    const binDir = tempDir();
    writeFileSync(join(binDir, 'redfish-emulator'), '#!/bin/sh\necho mine\n');
    const run = installCommand(binDir);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('not this project');
    expect(readFileSync(join(binDir, 'redfish-emulator'), 'utf8')).toBe('#!/bin/sh\necho mine\n');
  });

  it('runs the installed command on an absolute config after libvirtd, restarting it on failure', () => {
    const text = readFileSync(unitFile, 'utf8');
    const [program, ...args] = unitValues(text, 'ExecStart')[0]!.split(' ');
    expect(program).toBe('/usr/local/bin/redfish-emulator');
    expect(args[0]).toBe('serve');
    const config = args[args.indexOf('--config') + 1]!;
    expect(isAbsolute(config)).toBe(true);
    expect(unitValues(text, 'After').join(' ').split(' ')).toContain('libvirtd.service');
    expect(unitValues(text, 'Restart')).toEqual(['on-failure']);
  });

  it.skipIf(spawnSync('systemd-analyze', ['--version']).status !== 0)(
    'is a unit systemd-analyze verify accepts, with the command installed',
    () => {
      const dir = tempDir();
      const binDir = join(dir, 'bin');
      expect(installCommand(binDir).status).toBe(0);
      const unit = join(dir, 'redfish-emulator.service');
      writeFileSync(
        unit,
        readFileSync(unitFile, 'utf8').replace('/usr/local/bin/redfish-emulator', join(binDir, 'redfish-emulator')),
      );
      const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
      expect(verify.stderr).toBe('');
      expect(verify.status).toBe(0);
    },
  );
});
