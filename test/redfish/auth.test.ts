import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { Accounts, readHtpasswd } from '../../src/redfish/auth/accounts.js';
import { SessionStore } from '../../src/redfish/auth/sessions.js';
import { testConfig } from '../support/config.js';

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-auth-'));
let emulator: RunningEmulator;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

beforeAll(async () => {
  emulator = await startEmulator(testConfig(dir, { auth: { enabled: true } }).config);
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${emulator.url}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, any>) : undefined,
  };
}

describe('authentication', () => {
  it('lets anyone read the service root, and nothing else', async () => {
    const root = await call('/redfish/v1/');
    expect(root.status).toBe(200);
    expect(root.body!['Links']).toEqual({ Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } });
    const systems = await call('/redfish/v1/SessionService');
    expect(systems.status).toBe(401);
    expect(systems.headers.get('www-authenticate')).toBe('Basic realm="redfish-emulator"');
    expect(systems.body!['error']['code']).toBe('Base.1.22.NoValidSession');
    expect((await call('/redfish/v1/Nothing')).status).toBe(401);
  });

  it('accepts HTTP Basic with the right password only', async () => {
    expect(
      (await call('/redfish/v1/SessionService', { headers: { authorization: basic('admin', 'password') } })).status,
    ).toBe(200);
    expect(
      (await call('/redfish/v1/SessionService', { headers: { authorization: basic('admin', 'wrong') } })).status,
    ).toBe(401);
    expect(
      (await call('/redfish/v1/SessionService', { headers: { authorization: basic('nobody', 'password') } })).status,
    ).toBe(401);
    expect((await call('/redfish/v1/SessionService', { headers: { authorization: 'Basic !!!' } })).status).toBe(401);
  });

  it('logs in with a session, uses its token, lists it, and logs out', async () => {
    const login = await call('/redfish/v1/SessionService/Sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ UserName: 'admin', Password: 'password' }),
    });
    expect(login.status).toBe(201);
    const token = login.headers.get('x-auth-token')!;
    const location = login.headers.get('location')!;
    expect(token.length).toBeGreaterThanOrEqual(40);
    expect(location).toBe(login.body!['@odata.id']);
    expect(login.body).toMatchObject({ '@odata.type': '#Session.v1_8_0.Session', UserName: 'admin' });
    expect(JSON.stringify(login.body)).not.toContain('password');

    const withToken = { headers: { 'x-auth-token': token } };
    expect((await call('/redfish/v1/SessionService/Sessions', withToken)).body!['Members']).toContainEqual({
      '@odata.id': location,
    });
    expect((await call(location, withToken)).body!['UserName']).toBe('admin');
    expect((await call(location, { ...withToken, method: 'DELETE' })).status).toBe(204);
    expect((await call('/redfish/v1/SessionService', withToken)).status).toBe(401);
  });

  it('refuses a login with a wrong password or a missing property', async () => {
    const post = (body: unknown) =>
      call('/redfish/v1/SessionService/Sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ UserName: 'admin', Password: 'nope' })).status).toBe(401);
    const missing = await post({ UserName: 'admin' });
    expect(missing.status).toBe(400);
    expect(missing.body!['error']['code']).toBe('Base.1.22.PropertyMissing');
    const wrongType = await post({ UserName: 'admin', Password: 7 });
    expect(wrongType.body!['error']['code']).toBe('Base.1.22.PropertyValueTypeError');
  });
});

describe('accounts and sessions', () => {
  it('remembers a verified credential for a while, then checks it again, and at once when the hash changed', async () => {
    let now = 1_000_000;
    const hashes = new Map([['ops', bcrypt.hashSync('s3cret', 4)]]);
    const accounts = new Accounts(
      (user) => hashes.get(user),
      60_000,
      () => now,
    );
    expect(await accounts.verify('ops', 's3cret')).toBe(true);
    now += 30_000;
    expect(await accounts.verify('ops', 's3cret')).toBe(true);
    expect(await accounts.verify('ops', 'other')).toBe(false);
    now += 30_001;
    hashes.set('ops', hashes.get('ops')!);
    expect(await accounts.verify('ops', 's3cret')).toBe(true);
    // A new password, or an account gone or disabled (no hash), is checked again at once.
    hashes.set('ops', bcrypt.hashSync('n3w-secret', 4));
    expect(await accounts.verify('ops', 's3cret')).toBe(false);
    expect(await accounts.verify('ops', 'n3w-secret')).toBe(true);
    hashes.delete('ops');
    expect(await accounts.verify('ops', 'n3w-secret')).toBe(false);
  });

  it('ends a session after its idle timeout', () => {
    let now = 0;
    const sessions = new SessionStore(
      () => 30,
      () => now,
    );
    const { session, token } = sessions.create('ops');
    now += 29_000;
    expect(sessions.find(token)?.id).toBe(session.id);
    now += 31_000;
    expect(sessions.find(token)).toBeUndefined();
    expect(sessions.list()).toEqual([]);
  });

  it('reads bcrypt htpasswd files and names a bad line', () => {
    const file = join(dir, 'htpasswd');
    writeFileSync(file, `# accounts\nops:${bcrypt.hashSync('x', 4)}\n`);
    expect([...readHtpasswd(file).keys()]).toEqual(['ops']);
    writeFileSync(file, 'ops:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n');
    expect(() => readHtpasswd(file)).toThrow(`${file} line 1: expected user:bcrypt-hash`);
  });
});
