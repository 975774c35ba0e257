import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { projectRoot } from '../../src/project-root.js';
import type { SystemConfig } from '../../src/config/config.js';
import { testConfig } from '../support/config.js';
import { uniqueName } from '../support/libvirt.js';

/** Debian's Chromium, which scripts/setup installs; puppeteer-core brings no browser of its own. */
export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
export const PASSWORD = 'console-pw';
export const basic = (user: string) => `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}`;

/** The emulator on the demo lab's systems, a browser, and what ends them both. */
export interface ConsoleLab {
  readonly emulator: RunningEmulator;
  readonly browser: Browser;
  readonly dir: string;
  close(): Promise<void>;
}

/**
 * The embedded default's demo lab (node-1 with its RAID controller and six drives, node-2,
 * node-3 on UEFI) in libvirt's in-memory test driver, so nothing is left in the host's libvirt;
 * accounts admin (Administrator) and monitor (ReadOnly); and a headless Chromium.
 */
export async function startConsoleLab(): Promise<ConsoleLab> {
  const dir = mkdtempSync(join(tmpdir(), 'rfe-test-console-'));
  let emulator: RunningEmulator | undefined;
  try {
    const htpasswd = join(dir, 'htpasswd');
    const hash = bcrypt.hashSync(PASSWORD, 4);
    writeFileSync(htpasswd, `${['admin', 'monitor'].map((u) => `${u}:${hash}`).join('\n')}\n`);
    const demo = JSON.parse(readFileSync(join(projectRoot(), 'config', 'default.json'), 'utf8')) as {
      lab: { systems: SystemConfig[] };
    };
    // The test driver makes no disks: the machines keep their storage controllers, not their root disks.
    const systems = demo.lab.systems.map(({ rootDiskGiB: _rootDisk, ...system }) => ({
      ...system,
      domain: uniqueName(system.id),
      memoryMiB: 64,
    }));
    const { config } = testConfig(dir, {
      auth: { enabled: true, htpasswdFile: htpasswd, roles: { monitor: 'ReadOnly' } },
      libvirt: { uri: 'test:///default', pool: { name: uniqueName('pool'), path: join(dir, 'pool') } },
      lab: { createMissingDomains: true, network: { type: 'user' }, systems },
    });
    emulator = await startEmulator(config, { resyncIntervalMs: 60_000 });
    await emulator.lab!.ready;
    // --no-sandbox: Chromium's sandbox refuses to run as root, which the tests run as.
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const started = emulator;
    return {
      emulator: started,
      browser,
      dir,
      async close() {
        await browser.close();
        await started.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
