import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { basic, PASSWORD, startConsoleLab, type ConsoleLab } from './console-lab.js';

/*
 * The web console in Debian's headless Chromium, on the demo lab's systems: logging in (by
 * keyboard), the lab kept live from the SSE stream, a volume's timeline and its time travel,
 * marks and a scenario download, a drive failed from the page, a ReadOnly account, and what the
 * console gives without credentials: nothing but the login page.
 */

let lab: ConsoleLab;
let url: string;
const NODE1_STORAGE = '/redfish/v1/Systems/node-1/Storage/RAID-Controller-1';

beforeAll(async () => {
  lab = await startConsoleLab();
  url = lab.emulator.url;
}, 120_000);

afterAll(async () => {
  await lab?.close();
});

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: { authorization: basic('admin'), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

/** Logs in from the login form with the keyboard only: type, Tab, type, Enter. */
async function logIn(page: Page, user: string, password: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.waitForSelector('#user', { visible: true });
  await page.focus('#user');
  await page.keyboard.type(user);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

const text = (page: Page, selector: string) => page.$eval(selector, (element) => element.textContent ?? '');
const drawn = (page: Page, view: string) =>
  page.waitForFunction(
    (v) => document.body.dataset['view'] === v && document.body.dataset['drawn'] !== undefined,
    {},
    view,
  );

describe('the web console', { timeout: 60_000 }, () => {
  it('gives nothing without credentials: / sends a browser to the login page, data needs a session, the Redfish service answers as before', async () => {
    const root = await fetch(`${url}/`, { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/console/']);
    // Any other client gets the 404 it always got.
    const json = await fetch(`${url}/`);
    expect(json.status).toBe(404);
    expect(((await json.json()) as { error: { code: string } }).error.code).toMatch(/ResourceMissingAtURI$/);
    const page = await fetch(`${url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('id="login"');
    expect(html).not.toContain('node-1');
    for (const path of [
      '/emulator/v1/History',
      '/emulator/v1/AsOf?resource=/redfish/v1&asOf=1',
      '/emulator/v1/Scenario?from-mark=a&to-mark=b',
      '/redfish/v1/Systems',
      '/redfish/v1/EventService/SSE',
    ]) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(401);
    }
    expect(
      (
        await fetch(`${url}/emulator/v1/Marks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"Name":"x"}',
        })
      ).status,
    ).toBe(401);
    // A script's 401 (the console's) comes without the Basic challenge, which would open the browser's password dialog; any other keeps it.
    expect((await fetch(`${url}/redfish/v1/Systems`)).headers.get('www-authenticate')).toBe(
      'Basic realm="redfish-emulator"',
    );
    expect(
      (await fetch(`${url}/redfish/v1/Systems`, { headers: { 'x-requested-with': 'XMLHttpRequest' } })).headers.get(
        'www-authenticate',
      ),
    ).toBeNull();
    expect((await fetch(`${url}/console/../package.json`)).status).toBe(404);
    expect((await fetch(`${url}/redfish/v1`)).status).toBe(200);
    expect(await (await fetch(`${url}/redfish`)).json()).toEqual({ v1: '/redfish/v1/' });
  });

  it('shows an error and nothing else for a wrong password', async () => {
    const page = await lab.browser.newPage();
    try {
      await logIn(page, 'admin', 'wrong');
      await page.waitForFunction(() => document.getElementById('status')!.textContent !== '');
      expect(await text(page, '#status')).toBe('Wrong user name or password.');
      expect(await page.$eval('#nav', (nav) => (nav as HTMLElement).hidden)).toBe(true);
      expect(await page.$eval('#view', (view) => view.childElementCount)).toBe(0);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('shows the lab, and a reset made by another client within a second, without reloading', async () => {
    const page = await lab.browser.newPage();
    try {
      await logIn(page, 'admin', PASSWORD);
      await page.waitForSelector('.system[data-system="node-3"]');
      expect(await page.$$eval('.system', (systems) => systems.map((s) => s.getAttribute('data-system')))).toEqual([
        'node-1',
        'node-2',
        'node-3',
      ]);
      expect(await page.$$eval('[data-drive]', (drives) => drives.length)).toBe(6);
      await page.waitForFunction(() => document.getElementById('live')!.textContent === '● live');
      expect(await text(page, '.system[data-system="node-2"] [data-field="power"]')).toBe('Off');

      const asked = Date.now();
      expect(
        (await api('POST', '/redfish/v1/Systems/node-2/Actions/ComputerSystem.Reset', { ResetType: 'On' })).status,
      ).toBe(204);
      await page.waitForFunction(
        () => document.querySelector('.system[data-system="node-2"] [data-field="power"]')?.textContent === 'On',
        { timeout: 5000 },
      );
      const shownAfterMs = Date.now() - asked;
      console.log(`console: a reset by another client shown on the page ${shownAfterMs} ms after its 204`);
      expect(shownAfterMs).toBeLessThan(1000);
    } finally {
      await page.close();
    }
  });

  it("opens a volume's timeline and time-travels it to before its creation and back", async () => {
    const page = await lab.browser.newPage();
    try {
      await logIn(page, 'admin', PASSWORD);
      await page.waitForSelector('.system[data-system="node-1"]');
      // Carried out at node-1's next boot: it is asked for, listed and pending, and stays so.
      const created = await api('POST', `${NODE1_STORAGE}/Volumes`, {
        '@Redfish.OperationApplyTime': 'OnReset',
        RAIDType: 'RAID1',
        Links: { Drives: [{ '@odata.id': `${NODE1_STORAGE}/Drives/0` }, { '@odata.id': `${NODE1_STORAGE}/Drives/1` }] },
      });
      expect(created.status).toBe(202);
      const volume = `${NODE1_STORAGE}/Volumes/1`;
      const row = `[data-volume="${volume}"]`;
      await page.waitForSelector(row);
      await page.click(`${row} a[aria-label^="timeline of"]`);
      await drawn(page, 'timeline');
      await page.waitForSelector('.entry.type-VolumeCreateRequested');
      expect(await text(page, '#view h2')).toBe(`Timeline of ${volume}`);
      const creation = Number(
        await page.$eval('.entry.type-VolumeCreateRequested', (e) => e.getAttribute('data-position')),
      );

      await page.click('.entry.type-VolumeCreateRequested a.position');
      await page.waitForFunction(
        (p) => document.querySelector('.point')?.textContent?.startsWith(`As of position ${p}`),
        {},
        creation,
      );
      expect(await text(page, '.json')).toContain('"RAIDType": "RAID1"');
      // What the creation changed: the whole document was added.
      expect(await text(page, '.changes')).toContain('add');

      await page.click('a[rel="back"]');
      await page.waitForFunction(
        (p) => document.querySelector('.point')?.textContent?.startsWith(`As of position ${p - 1}`),
        {},
        creation,
      );
      expect(await text(page, '.absent')).toBe('This resource did not exist at this point.');

      await page.click('a[rel="next"]');
      await page.waitForFunction(
        (p) => document.querySelector('.point')?.textContent?.startsWith(`As of position ${p}`),
        {},
        creation,
      );
      expect(await text(page, '.json')).toContain('"RAIDType": "RAID1"');
    } finally {
      await page.close();
    }
  });

  it('fails a drive from the page, places two marks and downloads the scenario between them', async () => {
    const page = await lab.browser.newPage();
    const downloads = join(lab.dir, 'downloads');
    mkdirSync(downloads, { recursive: true });
    try {
      const cdp = await page.createCDPSession();
      await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
      await logIn(page, 'admin', PASSWORD);
      await page.waitForSelector('#nav a[href="#/marks"]', { visible: true });
      const placeMark = async (name: string) => {
        await page.click('#nav a[href="#/marks"]');
        await page.waitForSelector('#mark-name');
        await page.type('#mark-name', name);
        await page.click('#place-mark button');
        await page.waitForFunction(
          (n) => document.getElementById('status')!.textContent!.startsWith(`Mark ${n} placed`),
          {},
          name,
        );
        await page.waitForFunction(
          (n) => [...document.querySelectorAll('#marks li')].some((li) => li.textContent!.startsWith(n)),
          {},
          name,
        );
      };
      await placeMark('before-fault');

      await page.click('#nav a[href="#/lab"]');
      const drive = `${NODE1_STORAGE}/Drives/5`;
      await page.waitForSelector(`[data-drive="${drive}"] button[data-key$="#fail"]`);
      await page.click(`[data-drive="${drive}"] button[data-key$="#fail"]`);
      await page.waitForFunction(
        (d) => document.querySelector(`[data-drive="${d}"] td:nth-child(3)`)?.textContent?.includes('Critical'),
        {},
        drive,
      );

      await placeMark('after-fault');
      expect(await page.$eval('#export-from', (s) => (s as HTMLSelectElement).value)).toBe('before-fault');
      expect(await page.$eval('#export-to', (s) => (s as HTMLSelectElement).value)).toBe('after-fault');
      await page.click('#export-scenario button');
      const file = join(downloads, 'scenario-before-fault-after-fault.ndjson');
      await page.waitForFunction(() => document.getElementById('status')!.textContent!.endsWith('downloaded'));
      for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(readdirSync(downloads)).toContain('scenario-before-fault-after-fault.ndjson');
      const lines = readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({
        format: 'redfish-emulator-scenario',
        range: { fromMark: 'before-fault', toMark: 'after-fault' },
      });
      // The fault is the scenario's step, made by the console's user.
      const steps = lines.filter((l) => l['kind'] === 'step' && l['setup'] === undefined);
      expect(steps.map((l) => [l['actor'], l['events']])).toContainEqual(['user:admin', ['DriveFailed']]);
    } finally {
      await page.close();
    }
  });

  it('lets a ReadOnly account see the lab but not act, and logs out by ending the session', async () => {
    const context = await lab.browser.createBrowserContext();
    const page = await context.newPage();
    try {
      await logIn(page, 'monitor', PASSWORD);
      await page.waitForSelector('.system[data-system="node-1"] button[data-key$="#reset"]');
      expect(
        await page.$$eval('.system button', (buttons) => buttons.every((b) => (b as HTMLButtonElement).disabled)),
      ).toBe(true);
      const token = await page.evaluate(() => sessionStorage.getItem('redfish-emulator.token'));
      // The service refuses what the page does not offer.
      const refused = await fetch(`${url}/redfish/v1/Systems/node-1/Actions/ComputerSystem.Reset`, {
        method: 'POST',
        headers: { 'x-auth-token': token!, 'content-type': 'application/json' },
        body: '{"ResetType":"On"}',
      });
      expect(refused.status).toBe(403);

      await page.click('#logout');
      await page.waitForSelector('#login', { visible: true });
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect((await fetch(`${url}/redfish/v1/Systems`, { headers: { 'x-auth-token': token! } })).status).toBe(401);
    } finally {
      await context.close();
    }
  });
});
