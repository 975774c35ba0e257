/**
 * `npm run screenshots`: the console's pictures in the README, made by the browser tests' own
 * tooling (console-lab.ts: the demo lab's systems on libvirt's test driver, Debian's Chromium).
 * A short session is played through the Redfish API (a volume asked for, a reset, a drive
 * failed, two marks) and each view is saved as a PNG under docs/console/, one of them in a
 * phone-wide window.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { projectRoot } from '../../src/project-root.js';
import { basic, PASSWORD, startConsoleLab } from './console-lab.js';

const OUT = join(projectRoot(), 'docs', 'console');
const STORAGE = '/redfish/v1/Systems/node-1/Storage/RAID-Controller-1';

const lab = await startConsoleLab();
const { url } = lab.emulator;
const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: basic('admin'), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 600));

async function shoot(page: Page, hash: string, name: string): Promise<void> {
  const before = await page.evaluate(() => document.body.dataset['drawn']);
  await page.evaluate((h) => (location.hash = h), hash);
  await page.waitForFunction((b) => document.body.dataset['drawn'] !== b, {}, before);
  await settle();
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  console.log(`wrote docs/console/${name}.png`);
}

try {
  mkdirSync(OUT, { recursive: true });
  await api('POST', '/emulator/v1/Marks', { Name: 'before-deploy' });
  await api('POST', `${STORAGE}/Volumes`, {
    '@Redfish.OperationApplyTime': 'OnReset',
    Name: 'root',
    RAIDType: 'RAID1',
    Links: { Drives: [{ '@odata.id': `${STORAGE}/Drives/0` }, { '@odata.id': `${STORAGE}/Drives/1` }] },
  });
  await api('POST', '/redfish/v1/Systems/node-2/Actions/ComputerSystem.Reset', { ResetType: 'On' });
  await api('POST', `/emulator/v1${STORAGE.slice('/redfish/v1'.length)}/Drives/5/fail`, {});
  await api('POST', '/emulator/v1/Marks', { Name: 'after-deploy' });
  await settle();

  const page = await lab.browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.goto(`${url}/`);
  await page.waitForSelector('#user', { visible: true });
  await page.screenshot({ path: join(OUT, 'login.png') });
  console.log('wrote docs/console/login.png');
  await page.type('#user', 'admin');
  await page.type('#password', PASSWORD);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('.system[data-system="node-3"]');
  await settle();
  await page.screenshot({ path: join(OUT, 'lab.png'), fullPage: true });
  console.log('wrote docs/console/lab.png');
  await shoot(page, '#/timeline', 'timeline');
  await shoot(page, `#/resource?id=${encodeURIComponent(`${STORAGE}/Volumes/1`)}`, 'time-travel');
  await shoot(page, `#/resource?id=${encodeURIComponent(`${STORAGE}/Drives/5`)}`, 'time-travel-drive');
  await shoot(page, '#/marks', 'marks');
  await page.setViewport({ width: 390, height: 844 });
  await shoot(page, '#/lab', 'lab-narrow');
} finally {
  await lab.close();
}
