import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribe as subscribeChannel, unsubscribe as unsubscribeChannel } from 'node:diagnostics_channel';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import Fastify, { type FastifyInstance } from 'fastify';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { MOCKUP_ROUTE } from '../../src/mockup/mockup-routes.js';
import { listedOperations, refuseUnlistedRoutes, requirementOf } from '../../src/redfish/auth/route-privileges.js';
import { AccountRoles, AccountRolesError } from '../../src/redfish/auth/roles.js';
import { uniqueName } from '../support/libvirt.js';
import { testConfig } from '../support/config.js';
import { REFUSALS_STREAM } from '../../src/domain/refusals/refusal-events.js';

/**
 * Every route the service registers, walked with a ReadOnly account: each mutation is refused
 * with 403 InsufficientPrivilege and records nothing, each read is served. The route list is
 * fastify's own (seen through its initialization channel), so a route added later is walked too.
 */
const dir = mkdtempSync(join(tmpdir(), 'rfe-test-privileges-'));
const SYSTEM = '/redfish/v1/Systems/s1';
const routes: { method: string; url: string; generic: boolean }[] = [];
let emulator: RunningEmulator;

const PASSWORD = 'secret-pw';
const basic = (user: string) => `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}`;

/** A concrete path for a route: each parameter a resource that exists where one can. */
const SAMPLE_PARAMS: Record<string, string> = {
  systemId: 's1',
  managerId: 's1',
  storageId: 'RAID',
  volumeId: '1',
  driveId: '1',
  fault: 'fail',
  device: 'Cd',
  certificateId: '1',
  taskId: '1',
  subscriptionId: '1',
  accountId: 'monitor',
  roleId: 'ReadOnly',
};
const SAMPLE_QUERIES: Record<string, string> = {
  '/emulator/v1/AsOf': `?resource=${SYSTEM}&asOf=1`,
  '/emulator/v1/Diff': `?resource=${SYSTEM}&from=1&to=2`,
};
function samplePath(url: string, sessionId: string): string {
  const path = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return 'Systems';
      if (segment === ':sessionId') return sessionId;
      return segment.startsWith(':') ? (SAMPLE_PARAMS[segment.slice(1)] ?? 'x') : segment;
    })
    .join('/');
  return path + (SAMPLE_QUERIES[url] ?? '');
}

async function call(method: string, path: string, user: string, body?: unknown) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: basic(user), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  // Headers are enough for a stream (SSE); a JSON body is read.
  const json =
    response.headers.get('content-type')?.startsWith('application/json') && method !== 'HEAD'
      ? ((await response.json()) as Record<string, any>)
      : undefined;
  if (!json) await response.body?.cancel();
  return { status: response.status, body: json };
}

async function login(user: string): Promise<{ token: string; location: string }> {
  const response = await fetch(`${emulator.url}/redfish/v1/SessionService/Sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ UserName: user, Password: PASSWORD }),
  });
  expect(response.status).toBe(201);
  return { token: response.headers.get('x-auth-token')!, location: response.headers.get('location')! };
}

/** The events a user's requests caused: accepted ones, or the records of their refusals. */
function eventsBy(user: string, refused = false): number {
  const row = emulator.store.db
    .prepare(`SELECT count(*) AS n FROM events WHERE json_extract(meta, '$.actor') = ? AND (stream_id = ?) = ?`)
    .get(`user:${user}`, REFUSALS_STREAM, refused ? 1 : 0) as { n: number };
  return row.n;
}

beforeAll(async () => {
  const hash = bcrypt.hashSync(PASSWORD, 4);
  const htpasswd = join(dir, 'htpasswd');
  writeFileSync(htpasswd, `${['admin', 'ops', 'monitor'].map((u) => `${u}:${hash}`).join('\n')}\n`);
  const listen = (message: unknown) => {
    (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route) => {
      const generic = (route.config as { generic?: boolean } | undefined)?.generic === true;
      for (const method of [route.method].flat()) routes.push({ method, url: route.url, generic });
    });
  };
  subscribeChannel('fastify.initialization', listen);
  try {
    const drives = [{ id: '1', capacityBytes: 1 << 30, mediaType: 'HDD', protocol: 'SAS' }];
    // The lab lives in libvirt's in-memory test driver: its domain and pool exist only for this
    // connection, and nothing is left behind in the host's libvirt.
    const config = testConfig(dir, {
      auth: { enabled: true, htpasswdFile: htpasswd, roles: { monitor: 'ReadOnly', ops: 'Operator' } },
      libvirt: { uri: 'test:///default', pool: { name: uniqueName('pool'), path: join(dir, 'pool') } },
      lab: {
        createMissingDomains: true,
        systems: [{ id: 's1', domain: uniqueName('domain'), storage: [{ id: 'RAID', drives }] }],
      },
    }).config;
    emulator = await startEmulator(config, { resyncIntervalMs: 60_000 });
    await emulator.lab!.ready;
  } finally {
    unsubscribeChannel('fastify.initialization', listen);
  }
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('privileges', { timeout: 120_000 }, () => {
  const protectedRoutes = () => routes.filter((r) => r.url.startsWith('/redfish') || r.url.startsWith('/emulator/v1'));
  const isRead = (method: string) => method === 'GET' || method === 'HEAD';

  it('lists a privilege for every mutating route, and every listed operation is a route', () => {
    expect(protectedRoutes().length).toBeGreaterThan(50);
    for (const route of protectedRoutes())
      expect(requirementOf(route.method, route.url, route.generic), `${route.method} ${route.url}`).toBeDefined();
    const registered = new Set(protectedRoutes().map((r) => `${r.method} ${r.url}`));
    // A mockup lab's routes are registered in a mockup lab only (test/mockup walks them).
    const mockupOnly = (operation: string) => operation.endsWith(` ${MOCKUP_ROUTE}`);
    for (const operation of listedOperations().filter((o) => !mockupOnly(o)))
      expect(registered, operation).toContain(operation);
  });

  it('gives an account not named in auth.roles the Administrator role, and refuses a role for a name that is no account', () => {
    const roles = new AccountRoles({ monitor: 'ReadOnly' }, ['admin', 'monitor']);
    expect([roles.roleOf('admin'), roles.roleOf('monitor')]).toEqual(['Administrator', 'ReadOnly']);
    expect(() => new AccountRoles({ monitr: 'ReadOnly' }, ['admin', 'monitor'])).toThrow(AccountRolesError);
    expect(() => new AccountRoles({ monitr: 'ReadOnly' }, ['admin', 'monitor'])).toThrow(
      "auth.roles names 'monitr', not an account of the accounts file",
    );
  });

  it('stops at start-up on a mutating route with no privilege listed', async () => {
    const app = Fastify();
    refuseUnlistedRoutes(app);
    app.get('/redfish/v1/Unlisted', async () => ({}));
    expect(() => app.post('/redfish/v1/Unlisted', async () => ({}))).toThrow(
      /POST \/redfish\/v1\/Unlisted has no privilege in src\/redfish\/auth\/route-privileges.ts/,
    );
    expect(() => app.post('/elsewhere', async () => ({}))).not.toThrow();
    await app.close();
  });

  it('refuses a ReadOnly account every mutation with 403 InsufficientPrivilege, recording nothing, but its own session', async () => {
    const admin = await login('admin');
    const allowed: string[] = [];
    for (const route of protectedRoutes().filter((r) => !isRead(r.method))) {
      const response = await call(route.method, samplePath(route.url, admin.location.split('/').pop()!), 'monitor', {});
      if (response.status === 403) {
        expect(response.body!['error']['code'], `${route.method} ${route.url}`).toBe('Base.1.22.InsufficientPrivilege');
      } else {
        allowed.push(`${route.method} ${route.url}${route.generic ? ' (any other path)' : ''}`);
      }
    }
    // Logging in, a PATCH of its own account (ConfigureSelf: its password; this empty one changes
    // nothing), and the answers for methods no resource takes (405/404, nothing changed).
    expect(allowed.sort()).toEqual(
      [
        'DELETE /redfish (any other path)',
        'DELETE /redfish/* (any other path)',
        'PATCH /redfish (any other path)',
        'PATCH /redfish/* (any other path)',
        'POST /redfish (any other path)',
        'POST /redfish/* (any other path)',
        'PATCH /redfish/v1/AccountService/Accounts/:accountId',
        'POST /redfish/v1/SessionService/Sessions',
        'POST /redfish/v1/SessionService/Sessions/Members',
        'PUT /redfish (any other path)',
        'PUT /redfish/* (any other path)',
      ].sort(),
    );
    expect(eventsBy('monitor')).toBe(0);
    // Each refusal is in history, as a record that changes nothing.
    expect(eventsBy('monitor', true)).toBeGreaterThan(0);
    // The admin's session outlived the walk: a ReadOnly account cannot end it.
    expect((await call('GET', admin.location, 'admin')).status).toBe(200);
  });

  it('serves a ReadOnly account every read of the service but the emulator time travel and scenario export', async () => {
    const admin = await login('admin');
    const refused: string[] = [];
    const missing: string[] = [];
    for (const route of protectedRoutes().filter((r) => isRead(r.method))) {
      const { status } = await call(route.method, samplePath(route.url, admin.location.split('/').pop()!), 'monitor');
      if (status === 403) refused.push(`${route.method} ${route.url}`);
      else if (status === 404) missing.push(`${route.method} ${route.url}`);
      else expect(status, `${route.method} ${route.url}`).toBe(200);
    }
    expect(refused.sort()).toEqual([
      'GET /emulator/v1/AsOf',
      'GET /emulator/v1/Diff',
      'GET /emulator/v1/Scenario',
      'HEAD /emulator/v1/AsOf',
      'HEAD /emulator/v1/Diff',
      'HEAD /emulator/v1/Scenario',
    ]);
    // Only instances this lab has none of (no volume, task or subscription was made).
    for (const route of missing) expect(route).toMatch(/:volumeId|:taskId|:subscriptionId|:certificateId/);
    expect((await call('GET', '/emulator/v1/History', 'monitor')).status).toBe(200);
  });

  it('lets a ReadOnly account end its own session only', async () => {
    const own = await login('monitor');
    const other = await login('ops');
    expect((await call('DELETE', other.location, 'monitor')).status).toBe(403);
    expect((await call('DELETE', own.location, 'monitor')).status).toBe(204);
    expect((await call('GET', other.location, 'ops')).status).toBe(200);
  });

  it('lets an Operator reset a system, and refuses it the manager: certificates, event service, faults, time travel', async () => {
    const reset = await call('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, 'ops', { ResetType: 'On' });
    expect(reset.status, JSON.stringify(reset.body)).toBe(204);
    expect(eventsBy('ops')).toBe(1);
    for (const [method, path] of [
      ['POST', '/redfish/v1/CertificateService/Actions/CertificateService.ReplaceCertificate'],
      ['PATCH', '/redfish/v1/EventService'],
      ['POST', `/emulator/v1${SYSTEM.slice('/redfish/v1'.length)}/Storage/RAID/Drives/1/fail`],
      ['GET', `/emulator/v1/AsOf?resource=${SYSTEM}&asOf=1`],
    ] as const) {
      expect((await call(method, path, 'ops', method === 'GET' ? undefined : {})).status, `${method} ${path}`).toBe(
        403,
      );
    }
    expect(eventsBy('ops')).toBe(1);
    expect((await call('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, 'monitor', { ResetType: 'On' })).status).toBe(
      403,
    );
  });

  it('shows each account its role, and each role its privileges', async () => {
    const accounts = '/redfish/v1/AccountService/Accounts';
    for (const [user, role] of [
      ['admin', 'Administrator'],
      ['ops', 'Operator'],
      ['monitor', 'ReadOnly'],
    ]) {
      const account = (await call('GET', `${accounts}/${user}`, 'monitor')).body!;
      expect(account).toMatchObject({
        UserName: user,
        RoleId: role,
        Links: { Role: { '@odata.id': `/redfish/v1/AccountService/Roles/${role}` } },
      });
    }
    expect(
      (await call('GET', '/redfish/v1/AccountService/Roles/ReadOnly', 'monitor')).body!['AssignedPrivileges'],
    ).toEqual(['Login', 'ConfigureSelf']);
    expect(
      (await call('GET', '/redfish/v1/AccountService/Roles/Operator', 'monitor')).body!['AssignedPrivileges'],
    ).toEqual(['Login', 'ConfigureSelf', 'ConfigureComponents']);
  });

  it('lets sushy read a system as a ReadOnly account, and refuses it a reset (403); redfishtool likewise', async () => {
    // Basic: with a session, sushy 4.3 takes a 403 for a lost session, logs in again and retries
    // without looking at the second answer, so a refusal never reaches the caller.
    const script = `
import sushy
from sushy import exceptions
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('monitor', '${PASSWORD}'))
s = c.get_system('${SYSTEM}')
print('read', s.identity)
try:
    s.reset_system(sushy.ResetType.ON)
    print('reset accepted')
except exceptions.AccessError as e:
    print('refused', e.status_code, e.code)
`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(stdout.trim().split('\n')).toEqual(['read s1', 'refused 403 Base.1.22.InsufficientPrivilege']);
    const redfishtool = (...args: string[]) =>
      promisify(execFile)(
        'redfishtool',
        ['-r', new URL(emulator.url).host, '-u', 'monitor', '-p', PASSWORD, '-S', 'Never', '-A', 'Basic', ...args],
        { encoding: 'utf8', timeout: 30_000 },
      ).then(
        (done) => ({ code: 0, output: done.stdout + done.stderr }),
        (failed: { code: number; stdout: string; stderr: string }) => ({
          code: failed.code,
          output: failed.stdout + failed.stderr,
        }),
      );
    const read = await redfishtool('Systems', '-I', 's1', 'get');
    expect(read.code).toBe(0);
    expect(read.output).toContain('"Id": "s1"');
    const reset = await redfishtool('Systems', '-I', 's1', 'reset', 'On');
    expect(reset.code).not.toBe(0);
    expect(reset.output).toMatch(/403/);
    expect(eventsBy('monitor')).toBe(0);
    // Each refusal is in history, as a record that changes nothing.
    expect(eventsBy('monitor', true)).toBeGreaterThan(0);
  });
});
