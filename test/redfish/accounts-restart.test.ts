import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';

/*
 * What outlives a restart: accounts and passwords set through the API (the hashes kept beside
 * the log), and a configured account's new password until the accounts file gives it another;
 * what does not: failed logins and locks, held in memory as a BMC holds them.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-accounts-restart-'));
const htpasswd = join(dir, 'htpasswd');
const ACCOUNTS = '/redfish/v1/AccountService/Accounts';
let emulator: RunningEmulator | undefined;

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<RunningEmulator> {
  const { config } = testConfig(dir, {
    auth: {
      enabled: true,
      htpasswdFile: htpasswd,
      accountLockout: { threshold: 2, durationSeconds: 600, counterResetAfterSeconds: 600 },
    },
  });
  emulator = await startEmulator(config);
  return emulator;
}

async function status(
  running: RunningEmulator,
  user: string,
  password: string,
  method = 'GET',
  path = '/redfish/v1/Systems',
  body?: unknown,
): Promise<number> {
  const response = await fetch(`${running.url}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('accounts across a restart', { timeout: 60_000 }, () => {
  it('keeps accounts and passwords, forgets locks, and lets the accounts file reset its own account', async () => {
    writeFileSync(htpasswd, `admin:${bcrypt.hashSync('factory-pass', 4)}\n`);
    let running = await start();
    expect(
      await status(running, 'admin', 'factory-pass', 'POST', ACCOUNTS, {
        UserName: 'ops',
        Password: 'ops-password',
        RoleId: 'Operator',
      }),
    ).toBe(201);
    expect(
      await status(running, 'admin', 'factory-pass', 'PATCH', `${ACCOUNTS}/admin`, { Password: 'changed-pass' }),
    ).toBe(200);
    expect(await status(running, 'ops', 'wrong-password')).toBe(401);
    expect(await status(running, 'ops', 'wrong-password')).toBe(401);
    expect(await status(running, 'ops', 'ops-password')).toBe(401);
    const events = running.store.lastPosition();
    await running.close();

    running = await start();
    // An unchanged config records nothing at start.
    expect(running.store.lastPosition()).toBe(events);
    expect(await status(running, 'ops', 'ops-password')).toBe(200);
    expect(await status(running, 'admin', 'factory-pass')).toBe(401);
    expect(await status(running, 'admin', 'changed-pass')).toBe(200);
    await running.close();

    // The operator resets the factory account in the file: the file's password wins again.
    const reset = `admin:${bcrypt.hashSync('reset-pass', 4)}\n`;
    writeFileSync(htpasswd, reset);
    running = await start();
    expect(await status(running, 'admin', 'changed-pass')).toBe(401);
    expect(await status(running, 'admin', 'reset-pass')).toBe(200);
    expect(await status(running, 'ops', 'ops-password')).toBe(200);
    expect(await status(running, 'admin', 'reset-pass', 'PATCH', `${ACCOUNTS}/admin`, { Password: 'api-pass-2' })).toBe(
      200,
    );
    await running.close();

    // An account the file drops is gone, with the password the API gave it: back in the file, it is the file's.
    writeFileSync(htpasswd, `root:${bcrypt.hashSync('root-pass', 4)}\n`);
    running = await start();
    expect(await status(running, 'admin', 'api-pass-2')).toBe(401);
    expect(await status(running, 'root', 'root-pass')).toBe(200);
    await running.close();
    writeFileSync(htpasswd, reset);
    running = await start();
    expect(await status(running, 'admin', 'api-pass-2')).toBe(401);
    expect(await status(running, 'admin', 'reset-pass')).toBe(200);
  });
});
