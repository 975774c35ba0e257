import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { testConfig } from '../support/config.js';

/*
 * The emulator's own history API, GET /emulator/v1/History, on an emulator in this process
 * (no lab): filters as the history command has them, paging by position, and the 400s.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-history-api-'));
const AUTHORIZATION = `Basic ${Buffer.from('admin:password').toString('base64')}`;
let emulator: RunningEmulator;
/** The position of the last event a start records: its accounts (AccountServiceConfigured), after ServiceCreated (first - 1). */
let first: number;

interface HistoryPage {
  Events: {
    position: number;
    recordedAt: string;
    stream: string;
    subject: string;
    type: string;
    data: unknown;
    actor: string | null;
    requestId: string | null;
    causation: number | null;
    message: { MessageId: string; Message: string } | null;
  }[];
  Next: string | null;
}

async function history(query = ''): Promise<HistoryPage> {
  const response = await fetch(`${emulator.url}/emulator/v1/History${query}`, {
    headers: { authorization: AUTHORIZATION },
  });
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return (await response.json()) as HistoryPage;
}

const positions = async (query: string) => (await history(query)).Events.map((e) => e.position - first);

beforeAll(async () => {
  emulator = await startEmulator(testConfig(dir, { auth: { enabled: true } }).config);
  const { store } = emulator;
  first = store.lastPosition();
  // After what the start recorded (ServiceCreated, first - 1, and the accounts, first + 0): a small history across a system, its storage and another system.
  store.append({
    streamId: '/redfish/v1/Systems/a',
    expectedVersion: 0,
    events: [{ type: 'SampleObserved', data: { state: 'On' } }],
    meta: { actor: 'libvirt-observer' },
  });
  store.append({
    streamId: '/redfish/v1/Systems/a/Storage/1',
    expectedVersion: 0,
    events: [{ type: 'SampleRequested', data: { volume: '1' }, subject: '/redfish/v1/Systems/a/Storage/1/Volumes/1' }],
    meta: { actor: 'user:admin', requestId: 'req-7', correlationId: 'task-1', causationId: first + 1 },
  });
  store.append({
    streamId: '/redfish/v1/Systems/ab',
    expectedVersion: 0,
    events: [{ type: 'SampleObserved', data: { state: 'Off' } }],
    meta: { actor: 'libvirt-observer' },
  });
  store.append({
    streamId: '/redfish/v1/Systems/a',
    expectedVersion: 1,
    events: Array.from({ length: 5 }, (_, i) => ({ type: 'SampleChanged', data: { i } })),
    meta: { actor: 'user:admin' },
  });
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /emulator/v1/History', () => {
  it('lists every event oldest first, each with its place, time, stream, subject, payload and meta', async () => {
    const page = await history();
    expect(page.Next).toBeNull();
    expect(page.Events.map((e) => e.position - first)).toEqual([-1, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(page.Events[0]).toMatchObject({
      stream: '/redfish/v1',
      type: 'ServiceCreated',
      actor: 'emulator',
      requestId: null,
      causation: null,
    });
    expect(page.Events[1]).toMatchObject({
      stream: '/redfish/v1/AccountService',
      type: 'AccountServiceConfigured',
      actor: 'emulator',
    });
    expect(page.Events[3]).toEqual({
      position: first + 2,
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      stream: '/redfish/v1/Systems/a/Storage/1',
      streamVersion: 1,
      subject: '/redfish/v1/Systems/a/Storage/1/Volumes/1',
      type: 'SampleRequested',
      data: { volume: '1' },
      actor: 'user:admin',
      requestId: 'req-7',
      correlationId: 'task-1',
      causation: first + 1,
      schemaVersion: 1,
      // A type no description knows still gets the BMC log's generic message, from its type and payload.
      message: {
        MessageId: expect.stringMatching(/^ResourceEvent\.\d+\.\d+\.ResourceChanged$/),
        Message: expect.stringContaining('SampleRequested'),
      },
    });
    // Events of no system have no BMC log message.
    expect(page.Events[0]!.message).toBeNull();
  });

  it('lists the newest first with order=newest, its Next link paging towards the oldest', async () => {
    const pages: number[][] = [];
    let next: string | null = '/emulator/v1/History?resource=/redfish/v1/Systems/a&limit=3&order=newest';
    while (next) {
      const response = await fetch(`${emulator.url}${next}`, { headers: { authorization: AUTHORIZATION } });
      const page = (await response.json()) as HistoryPage;
      pages.push(page.Events.map((e) => e.position - first));
      if (page.Next)
        expect(page.Next).toMatch(
          /^\/emulator\/v1\/History\?resource=%2Fredfish%2Fv1%2FSystems%2Fa&until-position=\d+&limit=3&order=newest$/,
        );
      next = page.Next;
    }
    expect(pages).toEqual([[8, 7, 6], [5, 4, 2], [1]]);
    expect(await positions('?order=oldest&limit=2')).toEqual([-1, 0]);
    const refused = await fetch(`${emulator.url}/emulator/v1/History?order=sideways`, {
      headers: { authorization: AUTHORIZATION },
    });
    expect(refused.status).toBe(400);
    expect(
      ((await refused.json()) as { error: { '@Message.ExtendedInfo': { MessageId: string }[] } }).error[
        '@Message.ExtendedInfo'
      ][0]!.MessageId,
    ).toMatch(/QueryParameterValueFormatError$/);
  });

  it('filters as the history command does: resource with its children, stream, types, actor, times, positions', async () => {
    expect(await positions('?resource=/redfish/v1/Systems/a')).toEqual([1, 2, 4, 5, 6, 7, 8]);
    expect(await positions(`?resource=${encodeURIComponent('/redfish/v1/Systems/a/Storage/1/Volumes/1')}`)).toEqual([
      2,
    ]);
    expect(await positions('?stream=/redfish/v1/Systems/a')).toEqual([1, 4, 5, 6, 7, 8]);
    expect(await positions('?type=SampleObserved')).toEqual([1, 3]);
    expect(await positions('?type=SampleObserved&type=SampleRequested')).toEqual([1, 2, 3]);
    expect(await positions('?type=SampleObserved,ServiceCreated')).toEqual([-1, 1, 3]);
    expect(await positions('?actor=user:admin&resource=/redfish/v1/Systems/a')).toEqual([2, 4, 5, 6, 7, 8]);
    expect(await positions(`?after=${first + 5}`)).toEqual([6, 7, 8]);
    expect(await positions(`?after=${first}&until-position=${first + 2}`)).toEqual([1, 2]);
    const all = (await history()).Events;
    const since = all[3]!.recordedAt;
    expect((await history(`?since=${since}`)).Events.every((e) => e.recordedAt >= since)).toBe(true);
    expect((await history(`?until=${encodeURIComponent(all[0]!.recordedAt)}`)).Events.map((e) => e.position)).toContain(
      first - 1,
    );
    expect(await positions('?since=2000-01-01&until=2000-01-02')).toEqual([]);
    expect(await positions('?resource=/redfish/v1/Systems/nothing')).toEqual([]);
    // Ages, and a resource by its URL, as the history command takes them.
    expect(await positions('?since=1h')).toEqual([-1, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await positions('?until=1h')).toEqual([]);
    expect(
      await positions(`?resource=${encodeURIComponent(`${emulator.url}/redfish/v1/Systems/a/Storage/1`)}`),
    ).toEqual([2]);
    // A type of this build the log has not recorded yet matches nothing, and is no mistake.
    expect(await positions('?type=ResetFailed')).toEqual([]);
  });

  it('pages by position: limit, and a Next URL that carries the filters on to the last page', async () => {
    const seen: number[] = [];
    let next: string | null = '/emulator/v1/History?resource=/redfish/v1/Systems/a&limit=3';
    const pages: number[][] = [];
    while (next) {
      const response = await fetch(`${emulator.url}${next}`, { headers: { authorization: AUTHORIZATION } });
      const page = (await response.json()) as HistoryPage;
      pages.push(page.Events.map((e) => e.position - first));
      seen.push(...page.Events.map((e) => e.position - first));
      if (page.Next)
        expect(page.Next).toMatch(
          /^\/emulator\/v1\/History\?resource=%2Fredfish%2Fv1%2FSystems%2Fa&after=\d+&limit=3$/,
        );
      next = page.Next;
    }
    expect(pages).toEqual([[1, 2, 4], [5, 6, 7], [8]]);
    expect(seen).toEqual(await positions('?resource=/redfish/v1/Systems/a'));
    // A full last page ends the paging: no link to an empty page.
    const exact = await history('?stream=/redfish/v1/Systems/a&limit=6');
    expect(exact.Events).toHaveLength(6);
    expect(exact.Next).toBeNull();
    // Without a limit a page holds 100.
    expect((await history()).Events.length).toBeLessThanOrEqual(100);
  });

  it('shows the same events as the query the history command runs', async () => {
    const viaApi = (await history('?resource=/redfish/v1/Systems/a&type=SampleChanged')).Events.map((e) => e.position);
    const viaQuery = queryHistory(emulator.store.db, {
      resource: '/redfish/v1/Systems/a',
      types: ['SampleChanged'],
    }).map((e) => e.position);
    expect(viaApi).toEqual(viaQuery);
  });

  it('refuses a bad query value with 400 and the Base message that says why, never a 500', async () => {
    const cases: [string, string, string[]][] = [
      ['?since=yesterday', 'QueryParameterValueFormatError', ['yesterday', 'since']],
      ['?until=2026-13-45', 'QueryParameterValueFormatError', ['2026-13-45', 'until']],
      ['?after=ten', 'QueryParameterValueTypeError', ['ten', 'after']],
      ['?after=-1', 'QueryParameterValueTypeError', ['-1', 'after']],
      ['?until-position=1.5', 'QueryParameterValueTypeError', ['1.5', 'until-position']],
      ['?limit=0', 'QueryParameterOutOfRange', ['0', 'limit', '1-1000']],
      ['?limit=1001', 'QueryParameterOutOfRange', ['1001', 'limit', '1-1000']],
      ['?limit=99999999999999999999', 'QueryParameterValueTypeError', ['99999999999999999999', 'limit']],
      ['?resource=Systems/a', 'QueryParameterValueFormatError', ['Systems/a', 'resource']],
      ['?actor=a&actor=b', 'QueryParameterValueTypeError', ['a, b', 'actor']],
      ['?type=SampleObserve', 'QueryParameterValueError', ['type']],
      ['?frobnicate=1', 'QueryParameterUnsupported', ['frobnicate']],
      ['?$top=1', 'QueryParameterUnsupported', ['$top']],
    ];
    for (const [query, messageId, args] of cases) {
      const response = await fetch(`${emulator.url}/emulator/v1/History${query}`, {
        headers: { authorization: AUTHORIZATION },
      });
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as {
        error: { code: string; '@Message.ExtendedInfo': { MessageId: string; MessageArgs: string[] }[] };
      };
      expect(body.error.code, query).toBe(`Base.1.22.${messageId}`);
      expect(body.error['@Message.ExtendedInfo'][0]!.MessageArgs, query).toEqual(args);
    }
  });

  it('needs credentials like the Redfish service, and takes GET and HEAD only', async () => {
    const anonymous = await fetch(`${emulator.url}/emulator/v1/History`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('Base.1.22.NoValidSession');
    const head = await fetch(`${emulator.url}/emulator/v1/History`, {
      method: 'HEAD',
      headers: { authorization: AUTHORIZATION },
    });
    expect(head.status).toBe(200);
    const post = await fetch(`${emulator.url}/emulator/v1/History`, {
      method: 'POST',
      headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
