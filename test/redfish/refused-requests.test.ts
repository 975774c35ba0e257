import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { REFUSALS_STREAM, type RequestRefused } from '../../src/domain/refusals/refusal-events.js';
import { announcementsOf } from '../../src/projections/event-messages.js';
import { rebuildViews } from '../../src/views/rebuild.js';
import { projectors } from '../../src/projections/catalog.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { uniqueName } from '../support/libvirt.js';
import { runCli } from '../support/run-cli.js';
import { acceptedPosition } from '../support/accepted-position.js';

/*
 * Mutating requests the service refuses with a 4xx are recorded (RequestRefused) in a stream of
 * their own: found in history under the resource their URL names, with status and MessageIds,
 * secrets left out, no view changed and nothing announced. The lab lives in libvirt's
 * in-memory test driver, so nothing is left behind in the host's libvirt.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-refused-'));
const dataDir = join(dir, 'data');
const SYSTEM = '/redfish/v1/Systems/s1';
const STORAGE = `${SYSTEM}/Storage/RAID`;
const VOLUMES = `${STORAGE}/Volumes`;
let config: EmulatorConfig;
let emulator: RunningEmulator;
const { request } = redfishClient(() => emulator.url);

interface Entry {
  type: string;
  subject: string;
  actor: string | null;
  requestId: string | null;
  data: RequestRefused['data'];
}

const cliHistory = (resource: string): Entry[] => {
  const run = runCli(['history', '--data-dir', dataDir, '--resource', resource, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Entry);
};
const apiHistory = async (query: string): Promise<Entry[]> => {
  const response = await request('GET', `/emulator/v1/History?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { Events: Entry[] }).Events;
};
const refusals = () =>
  queryHistory(emulator.store.db, { streamId: REFUSALS_STREAM }).map((e) => ({
    ...e,
    data: e.data as RequestRefused['data'],
  }));
const views = () => emulator.store.db.prepare('SELECT odata_id, body, position FROM views ORDER BY odata_id').all();

beforeAll(async () => {
  const drives = [0, 1].map((i) => ({ id: String(i), capacityBytes: 1 << 30, mediaType: 'HDD', protocol: 'SAS' }));
  config = testConfig(dir, {
    auth: { enabled: true },
    libvirt: { uri: 'test:///default', pool: { name: uniqueName('pool'), path: join(dir, 'pool') } },
    lab: {
      createMissingDomains: true,
      systems: [{ id: 's1', domain: uniqueName('domain'), storage: [{ id: 'RAID', drives }] }],
    },
  }).config;
  emulator = await startEmulator(config, { resyncIntervalMs: 60_000 });
  await emulator.lab!.ready;
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('refused requests in history', { timeout: 60_000 }, () => {
  it('records a RAID volume POST with a bad body, found by --resource of the collection and of the system, with its MessageId (CLI and API)', async () => {
    const before = { position: acceptedPosition(emulator.store), views: views() };
    const body = {
      RAIDType: 'RAID7',
      Links: { Drives: [{ '@odata.id': `${STORAGE}/Drives/0` }, { '@odata.id': `${STORAGE}/Drives/1` }] },
    };
    const response = await request('POST', VOLUMES, body);
    expect(response.status).toBe(400);
    const messageIds = (
      (await response.json()) as { error: { '@Message.ExtendedInfo': { MessageId: string }[] } }
    ).error['@Message.ExtendedInfo'].map((m) => m.MessageId);
    expect(messageIds[0]).toMatch(/^Base\.1\.\d+\.\w+$/);

    const [cli] = cliHistory(VOLUMES).filter((e) => e.type === 'RequestRefused');
    expect(cli).toMatchObject({
      subject: VOLUMES,
      actor: 'user:admin',
      data: { status: 400, messageIds, method: 'POST', path: VOLUMES, body },
    });
    expect(cli!.requestId).toMatch(/./);
    expect(cliHistory(SYSTEM).map((e) => e.type)).toContain('RequestRefused');
    expect(
      (await apiHistory(`resource=${encodeURIComponent(VOLUMES)}&type=RequestRefused`)).map((e) => e.data),
    ).toEqual([cli!.data]);
    // The readable line shows the status and MessageId.
    const table = runCli(['history', '--data-dir', dataDir, '--resource', VOLUMES, '--type', 'RequestRefused']);
    expect(table.stdout).toContain(`"status":400,"messageIds":["${messageIds[0]}"`);
    // Nothing but the record: no view changed, nothing accepted was appended.
    expect(views()).toEqual(before.views);
    expect(acceptedPosition(emulator.store)).toBe(before.position);
  });

  it('records a 401 with the user name tried and never its password, from HTTP Basic and from a session login', async () => {
    const secret = 'not-the-password-4711';
    const basic = await fetch(`${emulator.url}${SYSTEM}`, {
      method: 'PATCH',
      headers: {
        authorization: `Basic ${Buffer.from(`mallory:${secret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{"AssetTag":"x"}',
    });
    expect(basic.status).toBe(401);
    const login = await fetch(`${emulator.url}/redfish/v1/SessionService/Sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ UserName: 'eve', Password: secret }),
    });
    expect(login.status).toBe(401);
    const [patch, session] = refusals()
      .filter((e) => e.data.status === 401)
      .slice(-2);
    expect(patch).toMatchObject({
      subject: SYSTEM,
      meta: { actor: 'anonymous' },
      data: { userName: 'mallory', messageIds: ['Base.1.22.NoValidSession'], method: 'PATCH' },
    });
    expect(session).toMatchObject({ data: { userName: 'eve', body: { UserName: 'eve', Password: '[redacted]' } } });
    const stored = emulator.store.db.prepare('SELECT group_concat(data || meta) FROM events').pluck().get() as string;
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(Buffer.from(`mallory:${secret}`).toString('base64'));
  });

  it('redacts image server credentials of a refused InsertMedia, and URL credentials', async () => {
    const response = await request('POST', '/redfish/v1/Managers/s1/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia', {
      Image: 'https://user:hunter2@images.example/boot.iso',
      TransferProtocolType: 'NFS',
      UserName: 'imageuser',
      Password: 'hunter2',
    });
    expect(response.status).toBe(400);
    const record = refusals().at(-1)!;
    expect(record.data.body).toEqual({
      Image: 'https://[redacted]@images.example/boot.iso',
      TransferProtocolType: 'NFS',
      UserName: '[redacted]',
      Password: '[redacted]',
    });
    expect(JSON.stringify(record)).not.toContain('hunter2');
    expect(JSON.stringify(record)).not.toContain('imageuser');
  });

  it('records refusals of any kind (404, 405, 415, the admin API) but not reads or 5xx, and announces none to subscribers', async () => {
    const before = refusals().length;
    expect((await request('POST', SYSTEM, {})).status).toBe(405);
    expect((await request('DELETE', `${SYSTEM}/Nothing`)).status).toBe(404);
    expect(
      (
        await fetch(`${emulator.url}${SYSTEM}`, {
          method: 'PATCH',
          headers: {
            authorization: `Basic ${Buffer.from('admin:password').toString('base64')}`,
            'content-type': 'text/plain',
          },
          body: 'x',
        })
      ).status,
    ).toBe(415);
    expect(
      (await request('POST', '/emulator/v1/Systems/s1/Storage/RAID/Drives/9/fail', {})).status,
    ).toBeGreaterThanOrEqual(400);
    expect((await request('GET', '/redfish/v1/Nothing')).status).toBe(404);
    const added = refusals().slice(before);
    expect(added.map((e) => `${e.data.method} ${e.data.status}`).slice(0, 3)).toEqual([
      'POST 405',
      'DELETE 404',
      'PATCH 415',
    ]);
    expect(added).toHaveLength(4);
    expect(added[3]!.subject).toMatch(/^\/emulator\/v1\//);
    for (const event of refusals()) expect(announcementsOf(event)).toEqual([]);
  });

  it('changes no view: a rebuild from the log gives the views the live store has', () => {
    expect(refusals().length).toBeGreaterThan(0);
    const live = views();
    rebuildViews(emulator.store.db, projectors);
    expect(views()).toEqual(live);
  });
});
