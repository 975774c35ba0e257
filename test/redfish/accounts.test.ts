import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { serviceLogger } from '../../src/logging/service-logger.js';
import { exportScenario } from '../../src/scenario/export-scenario.js';
import { loadScenarioFor, replayScenario } from '../../src/scenario/replay-scenario.js';
import { testConfig } from '../support/config.js';
import { acceptedPosition } from '../support/accepted-position.js';

/*
 * Accounts managed through the AccountService, over a real socket: made with each role, logging
 * in with Basic and sessions, what each may do, passwords changed, lockout and unlock, deletion;
 * redfishtool's AccountService commands; and no password or hash anywhere but the hash table.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-accounts-'));
const logFile = join(dir, 'requests.jsonl');
const ACCOUNTS = '/redfish/v1/AccountService/Accounts';
const ADMIN_PASSWORD = 'admin-pass-0815';
/** Every password this test sets or tries: none may be found outside the hash table. */
const passwords = new Set<string>([ADMIN_PASSWORD]);
let emulator: RunningEmulator;
let config: EmulatorConfig;

type Credentials = { user: string; password: string } | { token: string };
interface Answer {
  status: number;
  body: Record<string, any> | undefined;
  headers: Headers;
  text: string;
}

async function call(
  method: string,
  path: string,
  as: Credentials,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const auth: Record<string, string> =
    'token' in as
      ? { 'x-auth-token': as.token }
      : { authorization: `Basic ${Buffer.from(`${as.user}:${as.password}`).toString('base64')}` };
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { ...auth, ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, any>) : undefined,
    headers: response.headers,
    text,
  };
}

async function login(user: string, password: string): Promise<Answer & { token: string | null }> {
  const response = await fetch(`${emulator.url}/redfish/v1/SessionService/Sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ UserName: user, Password: password }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, any>) : undefined,
    headers: response.headers,
    text,
    token: response.headers.get('x-auth-token'),
  };
}

const admin = { user: 'admin', password: ADMIN_PASSWORD };
/** Events other than the records of refused requests (a refusal records only that). */
const eventCount = () => acceptedPosition(emulator.store);
const eventsOfType = (type: string) =>
  emulator.store.db.prepare('SELECT data, meta FROM events WHERE type = ?').all(type) as {
    data: string;
    meta: string;
  }[];
const code = (answer: Answer) => answer.body?.['error']?.['code'];
const logLines = () =>
  readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function createAccount(userName: string, password: string, roleId: string): Promise<Answer> {
  passwords.add(password);
  return call('POST', ACCOUNTS, admin, { UserName: userName, Password: password, RoleId: roleId });
}

beforeAll(async () => {
  const htpasswd = join(dir, 'htpasswd');
  writeFileSync(htpasswd, `admin:${bcrypt.hashSync(ADMIN_PASSWORD, 4)}\n`);
  config = testConfig(dir, {
    auth: {
      enabled: true,
      htpasswdFile: htpasswd,
      accountLockout: { threshold: 4, durationSeconds: 600, counterResetAfterSeconds: 600 },
    },
  }).config;
  emulator = await startEmulator(config, { logger: serviceLogger({ level: 'info', file: logFile }) });
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('accounts through the AccountService', { timeout: 60_000 }, () => {
  it('shows the password rules and the lockout settings of the config', async () => {
    const service = await call('GET', '/redfish/v1/AccountService', admin);
    expect(service.body).toMatchObject({
      MinPasswordLength: 8,
      MaxPasswordLength: 64,
      AccountLockoutThreshold: 4,
      AccountLockoutDuration: 600,
      AccountLockoutCounterResetAfter: 600,
    });
    expect(service.headers.get('allow')).toContain('PATCH');
    expect((await call('GET', ACCOUNTS, admin)).headers.get('allow')).toContain('POST');
  });

  it('creates an Operator and a ReadOnly account that log in with Basic and with a session', async () => {
    for (const [user, role] of [
      ['ops', 'Operator'],
      ['viewer', 'ReadOnly'],
    ]) {
      const created = await createAccount(user!, `${user}-password-1`, role!);
      expect(created.status, created.text).toBe(201);
      expect(created.headers.get('location')).toBe(`${ACCOUNTS}/${user}`);
      expect(created.body).toMatchObject({
        Id: user,
        UserName: user,
        RoleId: role,
        Enabled: true,
        Locked: false,
        Password: null,
      });
      expect((await call('GET', '/redfish/v1/Systems', { user: user!, password: `${user}-password-1` })).status).toBe(
        200,
      );
      const session = await login(user!, `${user}-password-1`);
      expect(session.status).toBe(201);
      expect((await call('GET', '/redfish/v1/Systems', { token: session.token! })).status).toBe(200);
    }
    const members = (await call('GET', ACCOUNTS, admin)).body!['Members'].map(
      (m: { '@odata.id': string }) => m['@odata.id'],
    );
    expect(members).toEqual([`${ACCOUNTS}/admin`, `${ACCOUNTS}/ops`, `${ACCOUNTS}/viewer`]);
    expect(eventsOfType('AccountCreated').map((e) => JSON.parse(e.data))).toEqual([
      { userName: 'ops', roleId: 'Operator', enabled: true },
      { userName: 'viewer', roleId: 'ReadOnly', enabled: true },
    ]);
  });

  it('refuses a duplicate name with 409, bad passwords and properties with 400, recording nothing', async () => {
    const before = eventCount();
    const duplicate = await createAccount('ops', 'another-password', 'ReadOnly');
    expect([duplicate.status, code(duplicate)]).toEqual([409, 'Base.1.22.ResourceAlreadyExists']);
    for (const password of ['', 'short', 'x'.repeat(65)]) {
      const refused = await createAccount('newcomer', password, 'ReadOnly');
      expect([refused.status, code(refused)], JSON.stringify(password)).toEqual([
        400,
        'Base.1.22.PasswordIncorrectLength',
      ]);
      expect(refused.body!['error']['@Message.ExtendedInfo'][0]['RelatedProperties']).toEqual(['/Password']);
    }
    const cases: [unknown, string][] = [
      [{ UserName: 'newcomer', Password: 'good-password' }, 'PropertyMissing'],
      [{ UserName: 'newcomer', Password: 'good-password', RoleId: 'Root' }, 'PropertyValueNotInList'],
      [{ UserName: 'a/b', Password: 'good-password', RoleId: 'ReadOnly' }, 'PropertyValueFormatError'],
      [{ UserName: 'newcomer', Password: 12345678, RoleId: 'ReadOnly' }, 'PropertyValueTypeError'],
      [{ UserName: 'newcomer', Password: 'good-password', RoleId: 'ReadOnly', Bogus: 1 }, 'PropertyUnknown'],
      [[1], 'MalformedJSON'],
    ];
    for (const [body, messageId] of cases) {
      const refused = await call('POST', ACCOUNTS, admin, body);
      expect([refused.status, code(refused)], JSON.stringify(body)).toEqual([400, `Base.1.22.${messageId}`]);
    }
    const bogus = await call('PATCH', `${ACCOUNTS}/ops`, admin, { Password: 'fine-password', BogusProp: 'foo' });
    expect([bogus.status, code(bogus)]).toEqual([400, 'Base.1.22.PropertyUnknown']);
    const rename = await call('PATCH', `${ACCOUNTS}/ops`, admin, { UserName: 'ops2' });
    expect([rename.status, code(rename)]).toEqual([400, 'Base.1.22.PropertyValueIncorrect']);
    expect(eventCount()).toBe(before);
    expect((await call('GET', '/redfish/v1/Systems', { user: 'ops', password: 'ops-password-1' })).status).toBe(200);
  });

  it('lets only an Administrator manage accounts: 403 InsufficientPrivilege for the others, recording nothing', async () => {
    const ops = { user: 'ops', password: 'ops-password-1' };
    const viewer = { user: 'viewer', password: 'viewer-password-1' };
    const before = eventCount();
    for (const as of [ops, viewer]) {
      for (const [method, path, body] of [
        ['POST', ACCOUNTS, { UserName: 'intruder', Password: 'intruder-pw', RoleId: 'Administrator' }],
        ['PATCH', `${ACCOUNTS}/${as.user}`, { RoleId: 'Administrator' }],
        ['PATCH', `${ACCOUNTS}/${as.user}`, { Enabled: false }],
        ['PATCH', `${ACCOUNTS}/${as === ops ? 'viewer' : 'ops'}`, { Password: 'taken-over-pw' }],
        ['PATCH', `${ACCOUNTS}/admin`, { Password: 'taken-over-pw' }],
        ['DELETE', `${ACCOUNTS}/${as === ops ? 'viewer' : 'ops'}`, undefined],
        ['PATCH', '/redfish/v1/AccountService', { AccountLockoutThreshold: 0 }],
      ] as const) {
        const refused = await call(method, path, as, body);
        expect([refused.status, code(refused)], `${as.user} ${method} ${path}`).toEqual([
          403,
          'Base.1.22.InsufficientPrivilege',
        ]);
      }
    }
    expect(eventCount()).toBe(before);
    // What an Operator may do and a ReadOnly account may not: make an event subscription.
    const subscription = { Destination: 'http://127.0.0.1:9/events', Protocol: 'Redfish' };
    expect((await call('POST', '/redfish/v1/EventService/Subscriptions', viewer, subscription)).status).toBe(403);
    const made = await call('POST', '/redfish/v1/EventService/Subscriptions', ops, subscription);
    expect(made.status, made.text).toBe(201);
    expect((await call('DELETE', made.headers.get('location')!, admin)).status).toBe(204);
  });

  it('lets an account change its own password (ConfigureSelf), honouring If-Match', async () => {
    const viewer = { user: 'viewer', password: 'viewer-password-1' };
    const read = await call('GET', `${ACCOUNTS}/viewer`, viewer);
    passwords.add('viewer-password-2');
    const stale = await call(
      'PATCH',
      `${ACCOUNTS}/viewer`,
      viewer,
      { Password: 'viewer-password-2' },
      { 'if-match': 'W/"1"' },
    );
    expect([stale.status, code(stale)]).toEqual([412, 'Base.1.22.PreconditionFailed']);
    const changed = await call(
      'PATCH',
      `${ACCOUNTS}/viewer`,
      viewer,
      { Password: 'viewer-password-2' },
      { 'if-match': read.headers.get('etag')! },
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ UserName: 'viewer', Password: null });
    expect(changed.headers.get('etag')).not.toBe(read.headers.get('etag'));
    expect((await call('GET', '/redfish/v1/Systems', viewer)).status).toBe(401);
    expect((await call('GET', '/redfish/v1/Systems', { user: 'viewer', password: 'viewer-password-2' })).status).toBe(
      200,
    );
    const recorded = eventsOfType('AccountPasswordChanged');
    expect(recorded.map((e) => [JSON.parse(e.data), JSON.parse(e.meta).actor])).toEqual([
      [{ userName: 'viewer' }, 'user:viewer'],
    ]);
    // The factory account's password too, as on a real BMC.
    passwords.add('admin-pass-4711');
    expect((await call('PATCH', `${ACCOUNTS}/admin`, admin, { Password: 'admin-pass-4711' })).status).toBe(200);
    expect((await call('GET', '/redfish/v1/Systems', admin)).status).toBe(401);
    expect(
      (
        await call(
          'PATCH',
          `${ACCOUNTS}/admin`,
          { user: 'admin', password: 'admin-pass-4711' },
          { Password: ADMIN_PASSWORD },
        )
      ).status,
    ).toBe(200);
  });

  it('locks an account after failed logins without telling the client, until the lockout duration passes', async () => {
    const settings = await call('PATCH', '/redfish/v1/AccountService', admin, {
      AccountLockoutThreshold: 3,
      AccountLockoutDuration: 2,
      AccountLockoutCounterResetAfter: 2,
    });
    expect(settings.status, settings.text).toBe(200);
    expect(settings.body).toMatchObject({
      AccountLockoutThreshold: 3,
      AccountLockoutDuration: 2,
      AccountLockoutCounterResetAfter: 2,
    });
    expect(eventsOfType('AccountLockoutChanged').map((e) => JSON.parse(e.data))).toEqual([
      { threshold: 3, durationSeconds: 2, counterResetAfterSeconds: 2 },
    ]);
    const conflict = await call('PATCH', '/redfish/v1/AccountService', admin, { AccountLockoutCounterResetAfter: 5 });
    expect([conflict.status, code(conflict)]).toEqual([400, 'Base.1.22.PropertyValueConflict']);

    const wrong = { user: 'viewer', password: 'not-the-password' };
    passwords.add(wrong.password);
    const first = await call('GET', '/redfish/v1/Systems', wrong);
    expect(first.status).toBe(401);
    expect((await login('viewer', wrong.password)).status).toBe(401);
    expect((await call('GET', '/redfish/v1/Systems', wrong)).status).toBe(401);
    // Locked now: the right password is refused, with the very answer a wrong one gets.
    const right = { user: 'viewer', password: 'viewer-password-2' };
    const locked = await call('GET', '/redfish/v1/Systems', right);
    expect(locked.status).toBe(401);
    expect(locked.text).toBe(first.text);
    expect((await login('viewer', right.password)).status).toBe(401);
    expect((await call('GET', `${ACCOUNTS}/viewer`, admin)).body).toMatchObject({ Locked: true });
    // The request log says why, the client is not told.
    expect(logLines().filter((l) => String(l['loginRefusal'] ?? '').includes('viewer'))).not.toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await call('GET', '/redfish/v1/Systems', right)).status).toBe(200);
    expect((await call('GET', `${ACCOUNTS}/viewer`, admin)).body).toMatchObject({ Locked: false });
  });

  it('lets an Administrator unlock an account, and nobody else', async () => {
    const right = { user: 'viewer', password: 'viewer-password-2' };
    for (let i = 0; i < 3; i++)
      await call('GET', '/redfish/v1/Systems', { user: 'viewer', password: 'not-the-password' });
    expect((await call('GET', '/redfish/v1/Systems', right)).status).toBe(401);
    const byOperator = await call(
      'PATCH',
      `${ACCOUNTS}/viewer`,
      { user: 'ops', password: 'ops-password-1' },
      { Locked: false },
    );
    expect(byOperator.status).toBe(403);
    const lockAsked = await call('PATCH', `${ACCOUNTS}/viewer`, admin, { Locked: true });
    expect([lockAsked.status, code(lockAsked)]).toEqual([400, 'Base.1.22.PropertyValueIncorrect']);
    const read = await call('GET', `${ACCOUNTS}/viewer`, admin);
    const unlocked = await call(
      'PATCH',
      `${ACCOUNTS}/viewer`,
      admin,
      { Locked: false },
      { 'if-match': read.headers.get('etag')! },
    );
    expect(unlocked.status, unlocked.text).toBe(200);
    expect(unlocked.body).toMatchObject({ Locked: false });
    expect((await call('GET', '/redfish/v1/Systems', right)).status).toBe(200);
    expect(eventsOfType('AccountUnlocked').map((e) => JSON.parse(e.data))).toEqual([{ userName: 'viewer' }]);
  });

  it('ends the sessions of a disabled or deleted account, and keeps the accounts file its own', async () => {
    const ops = { user: 'ops', password: 'ops-password-1' };
    const session = await login('ops', ops.password);
    expect((await call('PATCH', `${ACCOUNTS}/ops`, admin, { Enabled: false })).status).toBe(200);
    expect((await call('GET', '/redfish/v1/Systems', { token: session.token! })).status).toBe(401);
    expect((await call('GET', '/redfish/v1/Systems', ops)).status).toBe(401);
    expect((await call('PATCH', `${ACCOUNTS}/ops`, admin, { Enabled: true, RoleId: 'ReadOnly' })).body).toMatchObject({
      Enabled: true,
      RoleId: 'ReadOnly',
      Links: { Role: { '@odata.id': '/redfish/v1/AccountService/Roles/ReadOnly' } },
    });
    expect(
      (
        await call('POST', '/redfish/v1/EventService/Subscriptions', ops, {
          Destination: 'http://127.0.0.1:9/',
          Protocol: 'Redfish',
        })
      ).status,
    ).toBe(403);

    const again = await login('ops', ops.password);
    expect((await call('DELETE', `${ACCOUNTS}/ops`, admin)).status).toBe(204);
    expect((await call('GET', '/redfish/v1/Systems', { token: again.token! })).status).toBe(401);
    expect((await call('GET', '/redfish/v1/Systems', ops)).status).toBe(401);
    expect((await call('GET', `${ACCOUNTS}/ops`, admin)).status).toBe(404);
    expect((await call('DELETE', `${ACCOUNTS}/ops`, admin)).status).toBe(404);

    const demote = await call('PATCH', `${ACCOUNTS}/admin`, admin, { RoleId: 'ReadOnly' });
    expect([demote.status, code(demote)]).toEqual([400, 'Base.1.22.PropertyNotWritable']);
    const remove = await call('DELETE', `${ACCOUNTS}/admin`, admin);
    expect([remove.status, code(remove)]).toEqual([405, 'Base.1.22.ResourceCannotBeDeleted']);
    expect(remove.body!['error']['@Message.ExtendedInfo'][0]['Resolution']).toMatch(/accounts file/);
  });

  it("drives the accounts with redfishtool's AccountService commands", async () => {
    const redfishtool = (...args: string[]) =>
      promisify(execFile)(
        'redfishtool',
        [
          '-r',
          new URL(emulator.url).host,
          '-u',
          'admin',
          '-p',
          ADMIN_PASSWORD,
          '-S',
          'Never',
          'AccountService',
          ...args,
        ],
        { encoding: 'utf8', timeout: 30_000 },
      ).then(
        (done) => ({ code: 0, output: done.stdout + done.stderr }),
        (failed: { code: number; stdout: string; stderr: string }) => ({
          code: failed.code,
          output: failed.stdout + failed.stderr,
        }),
      );
    passwords.add('tool-password-1').add('tool-password-2');
    const added = await redfishtool('adduser', 'tool', 'tool-password-1', 'ReadOnly');
    expect(added.code, added.output).toBe(0);
    expect((await call('GET', `${ACCOUNTS}/tool`, admin)).body).toMatchObject({ UserName: 'tool', RoleId: 'ReadOnly' });
    expect((await call('GET', '/redfish/v1/Systems', { user: 'tool', password: 'tool-password-1' })).status).toBe(200);
    const set = await redfishtool('setpassword', 'tool', 'tool-password-2');
    expect(set.code, set.output).toBe(0);
    expect((await call('GET', '/redfish/v1/Systems', { user: 'tool', password: 'tool-password-2' })).status).toBe(200);
    const deleted = await redfishtool('deleteuser', 'tool');
    expect(deleted.code, deleted.output).toBe(0);
    expect((await call('GET', `${ACCOUNTS}/tool`, admin)).status).toBe(404);
  });

  it('keeps every password and hash out of the views, the events, the history, the request log and an exported scenario', async () => {
    const hashes = (
      emulator.store.db.prepare("SELECT value FROM store_facts WHERE key LIKE 'secret:account-password:%'").all() as {
        value: string;
      }[]
    ).map((row) => (JSON.parse(row.value) as { hash: string }).hash);
    expect(hashes.length).toBeGreaterThanOrEqual(2);
    hashes.push(readFileSync(join(dir, 'htpasswd'), 'utf8').trim().split(':')[1]!);
    const scenario = join(dir, 'accounts.ndjson');
    await exportScenario(emulator.store, config, {}, scenario);
    const places: Record<string, string> = {
      views: (emulator.store.db.prepare('SELECT body FROM views').all() as { body: string }[])
        .map((r) => r.body)
        .join('\n'),
      events: (emulator.store.db.prepare('SELECT data, meta FROM events').all() as { data: string; meta: string }[])
        .map((r) => `${r.data} ${r.meta}`)
        .join('\n'),
      history: (await call('GET', '/emulator/v1/History', admin)).text,
      'request log': readFileSync(logFile, 'utf8'),
      scenario: readFileSync(scenario, 'utf8'),
    };
    // The commands are there, with what they changed, but never the password they came with.
    expect(places['events']).toContain('"type":"ChangeAccount","userName":"viewer","password":true');
    for (const [place, text] of Object.entries(places)) {
      // The refused short ones ('', 'short') are words any text may hold; every other is looked for.
      for (const secret of [...passwords, ...hashes].filter((s) => s.length >= 8))
        expect(text.includes(secret), `${place} holds ${secret.slice(0, 6)}…`).toBe(false);
    }
  });

  it('replays the account commands of a scenario to the same views, without their passwords', async () => {
    const scenario = loadScenarioFor(join(dir, 'accounts.ndjson'), config);
    const steps = scenario.lines
      .filter((line) => line.kind === 'step')
      .map((line) => (line.kind === 'step' ? line.command.type : ''));
    expect(steps).toEqual(
      expect.arrayContaining(['CreateAccount', 'ChangeAccount', 'DeleteAccount', 'ChangeAccountLockout']),
    );
    const report = await replayScenario(scenario, config, {
      pace: 'fast',
      waitSeconds: 1,
      keep: false,
      withLab: false,
    });
    expect(report.stepDifferences).toEqual([]);
    expect(report.viewDifferences).toEqual([]);
    expect(report.equal).toBe(true);
  });
});
