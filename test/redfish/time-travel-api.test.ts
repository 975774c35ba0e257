import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { executeCommand } from '../../src/eventstore/execute-command.js';
import { systemDecider, type SystemCommand } from '../../src/domain/system/system-decider.js';
import { storageDecider, type StorageCommand } from '../../src/domain/storage/storage-decider.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import { driveUri, storageStream, volumeUri } from '../../src/domain/storage/storage-events.js';
import { diffJson, type JsonChange } from '../../src/views/json-diff.js';
import { testConfig } from '../support/config.js';
import { eventually } from '../support/eventually.js';
import { SNAPSHOT_INTERVAL } from '../../src/views/view-snapshots.js';
import { useTempDirs } from '../support/temp-dir.js';
import { registerStorage } from '../support/storage-registration.js';

const tempDir = useTempDirs();
const running: RunningEmulator[] = [];
afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
});

const GiB = 1024 ** 3;
const SYSTEM = systemStream('n1');
const STORAGE = storageStream('n1', 'RAID');
const VOLUME = volumeUri('n1', 'RAID', '1');
const DRIVE = driveUri('n1', 'RAID', '1');
const WATCHED = [
  SYSTEM,
  `${SYSTEM}/Bios`,
  STORAGE,
  `${STORAGE}/Volumes`,
  VOLUME,
  DRIVE,
  '/redfish/v1/TaskService/Tasks',
  '/redfish/v1/Managers/n1/VirtualMedia/Cd',
  '/redfish/v1/Systems',
];

async function start(overrides: Record<string, unknown> = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator(testConfig(tempDir(), overrides).config, { settleWaitMs: 0 });
  running.push(emulator);
  return emulator;
}

interface Step {
  readonly name: string;
  readonly position: number;
  /** What GET answered for each watched resource right after the step: status, body, ETag. */
  readonly gets: Map<string, { status: number; body: string; etag: string | null }>;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

/** A scripted session on a system with a RAID controller: requests over HTTP, the reconciler's and libvirt's part as commands. */
async function scriptedSession(emulator: RunningEmulator, headers: Record<string, string> = {}): Promise<Step[]> {
  const { store, url } = emulator;
  const system = (command: SystemCommand, actor = 'reconciler') => {
    const outcome = executeCommand(store, SYSTEM, systemDecider, command, { actor });
    if (!outcome.ok) throw new Error(`${command.type}: ${outcome.problem.messageId}`);
  };
  const storage = (command: StorageCommand, actor = 'reconciler') => {
    const outcome = executeCommand(store, STORAGE, storageDecider, command, { actor });
    if (!outcome.ok) throw new Error(`${command.type}: ${outcome.problem.messageId}`);
  };
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response;
  };
  const steps: Step[] = [];
  const record = async (name: string) => {
    const gets = new Map<string, { status: number; body: string; etag: string | null }>();
    for (const id of WATCHED) {
      const response = await fetch(`${url}${id}`, { headers });
      gets.set(id, { status: response.status, body: await response.text(), etag: response.headers.get('etag') });
    }
    steps.push({ name, position: store.lastPosition(), gets });
    // Steps apart in time, so each has times of its own.
    await tick();
  };

  await record('service only');
  system(
    { type: 'RegisterSystem', systemId: 'n1', name: 'Node 1', libvirtUri: 'test:///default', domainName: 'n1' },
    'lab-config',
  );
  storage(registerStorage('n1', 'RAID', 4), 'lab-config');
  await record('registered');
  system(
    {
      type: 'ObserveDomain',
      uuid: '00000000-0000-4000-8000-000000000001',
      vcpus: 2,
      memoryBytes: 2 * GiB,
      firmware: 'BIOS',
      macAddresses: ['52:54:00:00:00:01'],
    },
    'libvirt-observer',
  );
  system({ type: 'ObservePowerState', powerState: 'Off' }, 'libvirt-observer');
  await record('observed off');
  await send('PATCH', SYSTEM, { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } });
  await record('boot override');
  await send('PATCH', `${SYSTEM}/Bios/Settings`, { Attributes: { ProcVirtualization: 'Disabled' } });
  await record('bios pending');
  await send('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' });
  await record('reset requested');
  const requestedAt = store.lastPosition();
  system({ type: 'RecordResetOutcome', resetType: 'On', requestedAt });
  system({ type: 'ObservePowerState', powerState: 'On' }, 'libvirt-observer');
  await record('booted');
  const created = await send('POST', `${STORAGE}/Volumes`, {
    RAIDType: 'RAID1',
    CapacityBytes: GiB / 4,
    Links: { Drives: [{ '@odata.id': driveUri('n1', 'RAID', '0') }, { '@odata.id': DRIVE }] },
  });
  await record('volume requested');
  const taskId = created.headers.get('location')!.split('/').pop()!;
  storage({ type: 'RecordOperationOutcome', taskId });
  await record('volume made');
  await send('POST', `/emulator/v1/Systems/n1/Storage/RAID/Drives/1/fail`);
  await record('drive failed');
  await send('POST', `/emulator/v1/Systems/n1/Storage/RAID/Drives/1/replace`, { SerialNumber: 'NEW-1' });
  storage({ type: 'RecordRebuildProgress', volumeId: '1', percent: 40 });
  await record('rebuilding');
  storage({ type: 'RecordRebuildProgress', volumeId: '1', percent: 100 });
  await send('PATCH', VOLUME, { DisplayName: 'boot' });
  await record('rebuilt and renamed');
  await send('DELETE', VOLUME);
  const deleted = (await fetch(`${url}/redfish/v1/TaskService/Tasks`, { headers }).then((r) => r.json())) as {
    Members: { '@odata.id': string }[];
  };
  storage({ type: 'RecordOperationOutcome', taskId: deleted.Members.at(-1)!['@odata.id'].split('/').pop()! });
  await record('volume deleted');
  system({ type: 'ObservePowerState', powerState: 'Off' }, 'libvirt-observer');
  await record('off again');
  return steps;
}

async function asOf(
  emulator: RunningEmulator,
  resource: string,
  point: string | number,
  headers: Record<string, string> = {},
) {
  return fetch(
    `${emulator.url}/emulator/v1/AsOf?${new URLSearchParams({ resource, asOf: String(point) }).toString()}`,
    { headers },
  );
}

async function errorOf(response: Response): Promise<{ status: number; id: string; args: string[] }> {
  const body = (await response.json()) as {
    error: { code: string; '@Message.ExtendedInfo': { MessageId: string; MessageArgs: string[] }[] };
  };
  const info = body.error['@Message.ExtendedInfo'][0]!;
  return { status: response.status, id: info.MessageId.split('.').pop()!, args: info.MessageArgs };
}

describe('time travel over HTTP (/emulator/v1/AsOf and Diff)', () => {
  it('answers each resource as GET returned it after every step, by position and by time', async () => {
    const emulator = await start();
    const steps = await scriptedSession(emulator);
    expect(new Set(steps.map((s) => s.position)).size).toBe(steps.length);
    for (const step of steps) {
      const at = (
        emulator.store.db.prepare('SELECT recorded_at AS t FROM events WHERE position = ?').get(step.position) as {
          t: string;
        }
      ).t;
      for (const [resource, get] of step.gets) {
        for (const point of [step.position, at]) {
          const response = await asOf(emulator, resource, point);
          const what = `${resource} at ${step.name} (${point})`;
          expect(response.status, what).toBe(get.status);
          if (get.status === 200) {
            expect(await response.text(), what).toBe(get.body);
            expect(response.headers.get('etag'), what).toBe(get.etag);
            expect(response.headers.get('emulator-as-of-position'), what).toBe(String(step.position));
            expect(response.headers.get('emulator-as-of-time'), what).toBe(at);
          } else {
            expect(await errorOf(response), what).toEqual({
              status: 404,
              id: 'ResourceMissingAtURI',
              args: [resource],
            });
          }
        }
      }
    }
    // Before the first event nothing existed; the live views were not touched by any of it.
    expect((await asOf(emulator, '/redfish/v1', 0)).status).toBe(404);
    const last = steps.at(-1)!;
    for (const [resource, get] of last.gets) {
      const now = await fetch(`${emulator.url}${resource}`);
      expect(now.status).toBe(get.status);
      expect(await now.text()).toBe(get.body);
    }
  });

  it('diffs a resource between two points as a JSON Patch, whichever way round', async () => {
    const emulator = await start();
    const steps = await scriptedSession(emulator);
    const step = (name: string) => steps.find((s) => s.name === name)!;
    const diff = async (resource: string, from: string | number, to: string | number) => {
      const response = await fetch(
        `${emulator.url}/emulator/v1/Diff?${new URLSearchParams({ resource, from: String(from), to: String(to) }).toString()}`,
      );
      return {
        status: response.status,
        body: (await response.json()) as {
          resource: string;
          from: Record<string, unknown>;
          to: Record<string, unknown>;
          changes: JsonChange[];
        },
      };
    };
    const off = step('observed off');
    const booted = step('booted');
    const { status, body } = await diff(SYSTEM, off.position, booted.position);
    expect(status).toBe(200);
    expect(body.resource).toBe(SYSTEM);
    expect(body.from).toMatchObject({ position: off.position, exists: true });
    expect(body.to).toMatchObject({ position: booted.position, exists: true });
    expect(body.changes).toContainEqual({ op: 'replace', path: '/PowerState', value: 'On', previous: 'Off' });
    const parse = (s: Step) => JSON.parse(s.gets.get(SYSTEM)!.body) as unknown;
    expect(body.changes).toEqual(diffJson(parse(off), parse(booted)));
    const back = await diff(SYSTEM, booted.position, off.position);
    expect(back.body.changes).toEqual(diffJson(parse(booted), parse(off)));
    // A volume that came and went: added whole, then removed whole.
    const made = step('volume made');
    const gone = step('volume deleted');
    const created = await diff(VOLUME, step('registered').position, made.position);
    expect(created.body.from['exists']).toBe(false);
    expect(created.body.changes).toEqual([{ op: 'add', path: '', value: JSON.parse(made.gets.get(VOLUME)!.body) }]);
    const removed = await diff(VOLUME, step('rebuilt and renamed').position, gone.position);
    expect(removed.body.changes).toEqual([
      { op: 'remove', path: '', previous: JSON.parse(step('rebuilt and renamed').gets.get(VOLUME)!.body) },
    ]);
    expect((await diff(SYSTEM, made.position, made.position)).body.changes).toEqual([]);
    const never = await diff(VOLUME, 0, step('volume requested').position - 1);
    expect(never.status).toBe(404);
  });

  it('copies the live views an interval apart while appends come one callback at a time, as in a burst of requests', async () => {
    const { store } = await start();
    const from = store.lastPosition();
    const appends = 3 * SNAPSHOT_INTERVAL;
    // Each append in a callback of its own, all queued in one turn of the event loop.
    await new Promise<void>((resolve) => {
      for (let i = 0; i < appends; i += 1) {
        setImmediate(() => {
          const powerState = i % 2 === 0 ? 'Off' : 'On';
          executeCommand(
            store,
            SYSTEM,
            systemDecider,
            { type: 'ObservePowerState', powerState },
            { actor: 'observer' },
          );
          if (i === appends - 1) resolve();
        });
      }
    });
    const last = store.lastPosition();
    const positions = () =>
      store.db
        .prepare('SELECT position FROM view_snapshots WHERE position > ? ORDER BY position')
        .pluck()
        .all(from) as number[];
    // Written once deflated, on other threads.
    await eventually(() => (positions().at(-1) ?? 0) > last - SNAPSHOT_INTERVAL, 'the copies to land');
    const taken = [from, ...positions()];
    // Each copy right after the append that crossed the interval, not once every callback queued ran.
    for (let i = 1; i < taken.length; i += 1)
      expect(taken[i]! - taken[i - 1]!).toBeLessThanOrEqual(SNAPSHOT_INTERVAL + 2);
  });

  it('refuses bad input with the Base message that says why, never a 500', async () => {
    const emulator = await start();
    const last = emulator.store.lastPosition();
    const get = (query: string) => fetch(`${emulator.url}/emulator/v1/${query}`).then(errorOf);
    const root = encodeURIComponent('/redfish/v1');
    expect(await get(`AsOf?asOf=1`)).toEqual({ status: 400, id: 'QueryParameterValueError', args: ['resource'] });
    expect(await get(`AsOf?resource=${root}`)).toEqual({ status: 400, id: 'QueryParameterValueError', args: ['asOf'] });
    expect(await get(`AsOf?resource=${root}&asOf=`)).toEqual({
      status: 400,
      id: 'QueryParameterValueError',
      args: ['asOf'],
    });
    expect(await get(`AsOf?resource=${root}&asOf=1&at=2`)).toEqual({
      status: 400,
      id: 'QueryParameterUnsupported',
      args: ['at'],
    });
    expect(await get(`AsOf?resource=${root}&asOf=1&asOf=2`)).toEqual({
      status: 400,
      id: 'QueryParameterValueFormatError',
      args: ['1,2', 'asOf'],
    });
    for (const bad of [
      'yesterday',
      '-1',
      '1.5',
      '2026-13-45T10:00:00Z',
      '2026-11-25T10:00:00',
      '99999999999999999999',
    ]) {
      expect(await get(`AsOf?resource=${root}&asOf=${encodeURIComponent(bad)}`), bad).toEqual({
        status: 400,
        id: 'QueryParameterValueFormatError',
        args: [bad, 'asOf'],
      });
    }
    expect(await get(`AsOf?resource=${root}&asOf=${last + 1}`)).toEqual({
      status: 400,
      id: 'QueryParameterOutOfRange',
      args: [String(last + 1), 'asOf', `0-${last}`],
    });
    for (const bad of [
      '#state/redfish/v1/Systems/n1',
      '/emulator/v1/History',
      'redfish/v1',
      '/redfish/v10',
      '/redfish/v1/Systems?x=1',
    ]) {
      expect(await get(`AsOf?resource=${encodeURIComponent(bad)}&asOf=1`), bad).toEqual({
        status: 400,
        id: 'QueryParameterValueFormatError',
        args: [bad, 'resource'],
      });
    }
    expect(await get(`AsOf?resource=${encodeURIComponent('/redfish/v1/Systems/nope')}&asOf=${last}`)).toEqual({
      status: 404,
      id: 'ResourceMissingAtURI',
      args: ['/redfish/v1/Systems/nope'],
    });
    expect(await get(`Diff?resource=${root}&from=1`)).toEqual({
      status: 400,
      id: 'QueryParameterValueError',
      args: ['to'],
    });
    expect(await get(`Diff?resource=${root}&from=x&to=1`)).toEqual({
      status: 400,
      id: 'QueryParameterValueFormatError',
      args: ['x', 'from'],
    });
    expect(await get(`Diff?resource=${root}&from=0&to=${last + 5}`)).toEqual({
      status: 400,
      id: 'QueryParameterOutOfRange',
      args: [String(last + 5), 'to', `0-${last}`],
    });
    // A time's '+' offset sent unencoded arrives as a space, and is still read as the offset.
    const later = new Date(Date.now() + 2 * 3_600_000).toISOString().slice(0, 19);
    const plus = await fetch(`${emulator.url}/emulator/v1/AsOf?resource=${root}&asOf=${later}+01:00`);
    expect(plus.status).toBe(200);
    expect(plus.headers.get('emulator-as-of-position')).toBe(String(last));
    // Undecodable or odd query text is a client's mistake too.
    for (const query of [
      'AsOf?resource=%ZZ&asOf=1',
      'AsOf?resource=/redfish/v1&asOf=%E0%A4%A',
      'AsOf?resource&asOf',
      'Diff?resource=/redfish/v1&from=1&to=1&to=2',
    ]) {
      expect((await fetch(`${emulator.url}/emulator/v1/${query}`)).status, query).toBe(400);
    }
    // The trailing slash a client may add names the same resource.
    expect(
      (await fetch(`${emulator.url}/emulator/v1/AsOf?resource=${encodeURIComponent('/redfish/v1/')}&asOf=${last}`))
        .status,
    ).toBe(200);
  });

  it('asks for credentials as Redfish does', async () => {
    const emulator = await start({ auth: { enabled: true } });
    const root = encodeURIComponent('/redfish/v1');
    for (const query of [`AsOf?resource=${root}&asOf=1`, `Diff?resource=${root}&from=0&to=1`]) {
      const anonymous = await fetch(`${emulator.url}/emulator/v1/${query}`);
      expect(anonymous.status).toBe(401);
      expect((await errorOf(anonymous)).id).toBe('NoValidSession');
      const basic = await fetch(`${emulator.url}/emulator/v1/${query}`, {
        headers: { Authorization: `Basic ${Buffer.from('admin:password').toString('base64')}` },
      });
      expect(basic.status).toBe(200);
    }
  });
});
