import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { exportScenario } from '../../src/scenario/export-scenario.js';
import { testConfig } from '../support/config.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { acceptedPosition } from '../support/accepted-position.js';

/*
 * The emulator's marks and scenario API (POST /emulator/v1/Marks, GET /emulator/v1/Scenario),
 * which the web console uses: the same command, event and file as `redfish-emulator mark` and
 * `scenario export`, the 400s that change nothing, and the roles.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-marks-api-'));
const PASSWORD = 'secret-pw';
const basic = (user: string) => `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}`;
let emulator: RunningEmulator;
let config: EmulatorConfig;

async function call(method: string, path: string, user = 'admin', body?: unknown) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: basic(user), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}
const messageId = (text: string) =>
  (JSON.parse(text) as { error: { '@Message.ExtendedInfo': { MessageId: string }[] } }).error[
    '@Message.ExtendedInfo'
  ][0]!.MessageId.replace(/^Base\.\d+\.\d+\./, '');
/** Events other than the records of refused requests (a refusal records only that). */
const eventCount = () => acceptedPosition(emulator.store);

beforeAll(async () => {
  const htpasswd = join(dir, 'htpasswd');
  const hash = bcrypt.hashSync(PASSWORD, 4);
  writeFileSync(htpasswd, `${['admin', 'ops', 'monitor'].map((u) => `${u}:${hash}`).join('\n')}\n`);
  config = testConfig(dir, {
    auth: { enabled: true, htpasswdFile: htpasswd, roles: { monitor: 'ReadOnly', ops: 'Operator' } },
  }).config;
  emulator = await startEmulator(config);
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /emulator/v1/Marks', () => {
  it('places a mark at the end of the log with the actor and request id, as the mark command does', async () => {
    const placed = await call('POST', '/emulator/v1/Marks', 'ops', { Name: 'before-deploy' });
    expect(placed.status).toBe(201);
    expect(JSON.parse(placed.text)).toEqual({ Name: 'before-deploy', Position: eventCount() });
    const [event] = emulator.store.readStream('/emulator/v1/Marks');
    expect(event).toMatchObject({
      type: 'MarkPlaced',
      data: { name: 'before-deploy' },
      meta: { actor: 'user:ops', requestId: expect.any(String) },
    });
  });

  it('refuses a bad body, a bad or taken name, and a ReadOnly account, recording nothing', async () => {
    const before = eventCount();
    const cases: [string, unknown, number, string][] = [
      ['admin', { Name: 'before-deploy' }, 409, 'ResourceAlreadyExists'],
      ['admin', { Name: 'no spaces' }, 400, 'PropertyValueFormatError'],
      ['admin', { Name: 7 }, 400, 'PropertyValueTypeError'],
      ['admin', {}, 400, 'PropertyMissing'],
      ['admin', { Name: 'x', Colour: 'red' }, 400, 'PropertyUnknown'],
      ['admin', '[1]', 400, 'MalformedJSON'],
      ['admin', '{', 400, 'MalformedJSON'],
      ['monitor', { Name: 'ro' }, 403, 'InsufficientPrivilege'],
    ];
    for (const [user, body, status, id] of cases) {
      const answer = await call('POST', '/emulator/v1/Marks', user, body);
      expect([answer.status, messageId(answer.text)], JSON.stringify(body)).toEqual([status, id]);
    }
    expect(
      (
        await fetch(`${emulator.url}/emulator/v1/Marks`, {
          method: 'POST',
          body: '{"Name":"anon"}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(401);
    expect(eventCount()).toBe(before);
  });
});

describe('GET /emulator/v1/Scenario', () => {
  it('downloads the scenario between two marks, the file scenario export writes', async () => {
    expect((await call('POST', '/emulator/v1/Marks', 'admin', { Name: 'after-deploy' })).status).toBe(201);
    const answer = await call('GET', '/emulator/v1/Scenario?from-mark=before-deploy&to-mark=after-deploy');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe(
      'attachment; filename="scenario-before-deploy-after-deploy.ndjson"',
    );
    const file = join(dir, 'cli.ndjson');
    await exportScenario(emulator.store, config, { fromMark: 'before-deploy', toMark: 'after-deploy' }, file);
    const [downloadedHeader, ...downloaded] = answer.text.trimEnd().split('\n');
    const [writtenHeader, ...written] = readFileSync(file, 'utf8').trimEnd().split('\n');
    const withoutTime = (line: string) => ({
      ...(JSON.parse(line) as Record<string, unknown>),
      exportedAt: undefined,
      digest: undefined,
    });
    expect(withoutTime(downloadedHeader!)).toEqual(withoutTime(writtenHeader!));
    expect(JSON.parse(downloadedHeader!)).toMatchObject({
      format: 'redfish-emulator-scenario',
      range: { fromMark: 'before-deploy', toMark: 'after-deploy' },
    });
    expect(downloaded).toEqual(written);
  });

  it('refuses a missing or unknown mark, marks out of order, another parameter, and a role below Administrator, with 400 or 403', async () => {
    const cases: [string, string, number, string][] = [
      ['admin', '?from-mark=before-deploy', 400, 'QueryParameterValueError'],
      ['admin', '?from-mark=before-deploy&to-mark=nowhere', 400, 'QueryParameterValueError'],
      ['admin', '?from-mark=after-deploy&to-mark=before-deploy', 400, 'QueryParameterValueError'],
      ['admin', '?from-mark=before-deploy&to-mark=after-deploy&actor=x', 400, 'QueryParameterUnsupported'],
      ['admin', '?from-mark=a&from-mark=b&to-mark=after-deploy', 400, 'QueryParameterValueFormatError'],
      ['ops', '?from-mark=before-deploy&to-mark=after-deploy', 403, 'InsufficientPrivilege'],
      ['monitor', '?from-mark=before-deploy&to-mark=after-deploy', 403, 'InsufficientPrivilege'],
    ];
    for (const [user, query, status, id] of cases) {
      const answer = await call('GET', `/emulator/v1/Scenario${query}`, user);
      expect([answer.status, messageId(answer.text)], `${user} ${query}`).toEqual([status, id]);
    }
    const unknown = await call('GET', '/emulator/v1/Scenario?from-mark=before-deploy&to-mark=nowhere');
    expect(JSON.parse(unknown.text).error['@Message.ExtendedInfo'][0].MessageArgs).toEqual(['to-mark']);
  });
});
