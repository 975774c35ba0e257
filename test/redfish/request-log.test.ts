import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { serviceLogger } from '../../src/logging/service-logger.js';
import { testConfig } from '../support/config.js';
import { rawExchange } from '../support/raw-http.js';

/*
 * The request log of an emulator in this process, written to a file as `log.file` asks: a
 * line per request with who asked what and how it was answered, and never a credential.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-request-log-'));
const logFile = join(dir, 'requests.jsonl');
/** Secrets this test sends in every way a client can; none may reach the log. */
const PASSWORD = 'Pw-never-logged-4711';
const COOKIE = 'cookie-never-logged-0815';
const AUTHORIZATION = `Basic ${Buffer.from(`operator:${PASSWORD}`).toString('base64')}`;
let emulator: RunningEmulator;

interface LogLine {
  level: number;
  time: string;
  reqId?: string;
  method?: string;
  path?: string;
  status?: number;
  ms?: number;
  actor?: string;
  messageIds?: string[];
}

const logLines = (): LogLine[] =>
  readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine);

/** The log line of the request whose method and path these are (the last, if several). */
const lineFor = (method: string, path: string) =>
  logLines()
    .filter((l) => l.method === method && l.path === path)
    .at(-1);

beforeAll(async () => {
  const htpasswd = join(dir, 'htpasswd');
  writeFileSync(htpasswd, `operator:${bcrypt.hashSync(PASSWORD, 4)}\n`);
  const { config } = testConfig(dir, { auth: { enabled: true, htpasswdFile: htpasswd } });
  emulator = await startEmulator(config, { logger: serviceLogger({ level: 'info', file: logFile }) });
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the request log', () => {
  it('writes one JSON line per request: request id, actor, method, path, status and time taken', async () => {
    const response = await fetch(`${emulator.url}/redfish/v1/SessionService`, {
      headers: { authorization: AUTHORIZATION },
    });
    expect(response.status).toBe(200);
    const lines = logLines().filter((l) => l.path === '/redfish/v1/SessionService');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      level: 30,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      reqId: expect.stringMatching(/^req-/),
      method: 'GET',
      path: '/redfish/v1/SessionService',
      status: 200,
      ms: expect.any(Number),
      actor: 'user:operator',
      msg: 'request',
    });
  });

  it('names the request id the events it caused carry in history', async () => {
    const response = await fetch(`${emulator.url}/redfish/v1/EventService/Subscriptions`, {
      method: 'POST',
      headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
      body: JSON.stringify({ Destination: 'http://127.0.0.1:9/events', Protocol: 'Redfish' }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const events = (await (
      await fetch(`${emulator.url}/emulator/v1/History?actor=user:operator`, {
        headers: { authorization: AUTHORIZATION },
      })
    ).json()) as {
      Events: { requestId: string }[];
    };
    const line = lineFor('POST', '/redfish/v1/EventService/Subscriptions');
    expect(line?.status).toBe(201);
    expect(events.Events.map((e) => e.requestId)).toContain(line?.reqId);
  });

  it('shows each refusal with its status and the MessageId of its error body', async () => {
    const refusals: [string, RequestInit, number, string][] = [
      ['/redfish/v1/Systems', {}, 401, 'Base.1.22.NoValidSession'],
      [
        '/redfish/v1/Nothing/Here',
        { headers: { authorization: AUTHORIZATION } },
        404,
        'Base.1.22.ResourceMissingAtURI',
      ],
      ['/redfish/v1/Systems/%zz', { headers: { authorization: AUTHORIZATION } }, 400, 'Base.1.22.InvalidURI'],
      [
        '/redfish/v1/SessionService',
        { method: 'POST', headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' }, body: '{}' },
        405,
        'Base.1.22.OperationNotAllowed',
      ],
      [
        '/redfish/v1/EventService/Subscriptions',
        {
          method: 'POST',
          headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
          body: '{"Destination":',
        },
        400,
        'Base.1.22.MalformedJSON',
      ],
      [
        '/redfish/v1/Systems',
        { headers: { authorization: AUTHORIZATION, 'odata-version': '3.0' } },
        412,
        'Base.1.22.HeaderInvalid',
      ],
      [
        '/redfish/v1/SessionService',
        {
          method: 'PATCH',
          headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
          body: JSON.stringify({ Name: 'x'.repeat(2 * 1024 * 1024) }),
        },
        413,
        'Base.1.22.PayloadTooLarge',
      ],
    ];
    for (const [path, init, status, messageId] of refusals) {
      const response = await fetch(`${emulator.url}${path}`, init);
      expect(response.status, path).toBe(status);
      const line = lineFor(init.method ?? 'GET', path);
      expect(line, path).toMatchObject({ status, messageIds: [messageId], level: 30 });
    }
    expect(lineFor('GET', '/redfish/v1/Nothing/Here')?.actor).toBe('user:operator');
  });

  it('writes a line for a request refused before fastify saw it (an unknown method)', async () => {
    const answer = await rawExchange(emulator.url, 'BREW /redfish/v1/Systems HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1.1 405/);
    expect(lineFor('BREW', '/redfish/v1/Systems')).toMatchObject({
      status: 405,
      messageIds: ['Base.1.22.OperationNotAllowed'],
    });
  });

  it('never holds a password, a session token or a cookie, whichever way they were sent', async () => {
    const login = await fetch(`${emulator.url}/redfish/v1/SessionService/Sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sid=${COOKIE}` },
      body: JSON.stringify({ UserName: 'operator', Password: PASSWORD }),
    });
    expect(login.status).toBe(201);
    const token = login.headers.get('x-auth-token')!;
    const withToken = await fetch(`${emulator.url}/redfish/v1/Systems`, {
      headers: { 'x-auth-token': token, cookie: `sid=${COOKIE}` },
    });
    expect(withToken.status).toBe(200);
    expect(lineFor('GET', '/redfish/v1/Systems')).toMatchObject({ status: 200, actor: 'user:operator' });
    const wrongPassword = await fetch(`${emulator.url}/redfish/v1/SessionService/Sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ UserName: 'operator', Password: `${PASSWORD}-wrong` }),
    });
    expect(wrongPassword.status).toBe(401);
    await fetch(`${emulator.url}/redfish/v1/Systems`, {
      headers: { authorization: `Basic ${Buffer.from(`operator:${PASSWORD}-x`).toString('base64')}` },
    });

    expect(lineFor('GET', '/redfish/v1/Systems')).toMatchObject({ status: 401, actor: 'anonymous' });
    const text = readFileSync(logFile, 'utf8');
    for (const secret of [
      PASSWORD,
      token,
      COOKIE,
      AUTHORIZATION.slice('Basic '.length),
      Buffer.from(`operator:${PASSWORD}-x`).toString('base64'),
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text.toLowerCase()).not.toMatch(/password|authorization|x-auth-token|cookie/);
  });
});
