import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { executeCommand } from '../../src/eventstore/execute-command.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { systemDecider } from '../../src/domain/system/system-decider.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import { storageDecider } from '../../src/domain/storage/storage-decider.js';
import { storageStream } from '../../src/domain/storage/storage-events.js';
import { registerSystems } from '../../src/lab/register-systems.js';
import { inventoryOf, type LabSystem } from '../../src/lab/lab-systems.js';
import { rebuildViews } from '../../src/views/rebuild.js';
import { projectors } from '../../src/projections/catalog.js';
import { MAX_LOG_ENTRIES } from '../../src/projections/log-services.js';
import { testConfig } from '../support/config.js';

/*
 * Each BMC's LogService, on an emulator in this process without a lab: the system and its
 * storage are registered as the lab would register them, observations recorded as libvirt's
 * observer records them, and the changes made by a client over HTTP.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-log-service-'));
const AUTHORIZATION = `Basic ${Buffer.from('admin:password').toString('base64')}`;
const SYSTEM = '/redfish/v1/Systems/n1';
const MANAGER = '/redfish/v1/Managers/n1';
const LOG = `${MANAGER}/LogServices/History`;
const ENTRIES = `${LOG}/Entries`;
const STORAGE = `${SYSTEM}/Storage/RAID`;
const GiB = 1024 ** 3;
let emulator: RunningEmulator;

const system: LabSystem = {
  id: 'n1',
  name: 'Node one',
  libvirtUri: 'qemu:///system',
  domainName: 'rfe-test-n1',
  vcpus: 2,
  memoryMiB: 256,
  firmware: 'BIOS',
  rootDiskGiB: 0,
  network: { type: 'user' },
  inventory: inventoryOf({ id: 'n1', domain: 'rfe-test-n1' }),
  config: {
    id: 'n1',
    domain: 'rfe-test-n1',
    storage: [
      {
        id: 'RAID',
        drives: [0, 1, 2, 3].map((i) => ({ id: String(i), capacityBytes: GiB, mediaType: 'HDD', protocol: 'SAS' })),
      },
    ],
  } as LabSystem['config'],
};

async function request(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${emulator.url}${path}`, {
    method,
    headers: {
      authorization: AUTHORIZATION,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

async function get(path: string): Promise<Record<string, any>> {
  const response = await request('GET', path);
  expect(response.status, path).toBe(200);
  return (await response.json()) as Record<string, any>;
}

/** The log's entries, as its collection embeds them. */
async function entries(): Promise<Record<string, any>[]> {
  return (await get(ENTRIES))['Members'] as Record<string, any>[];
}

beforeAll(async () => {
  emulator = await startEmulator(testConfig(dir, { auth: { enabled: true } }).config);
  const { store } = emulator;
  registerSystems(store, [system]);
  const observer = { actor: 'libvirt-observer' };
  executeCommand(
    store,
    systemStream('n1'),
    systemDecider,
    {
      type: 'ObserveDomain',
      uuid: '0f6c3e51-7f3b-4a5e-9b1c-3d2e1f0a9b8c',
      vcpus: 2,
      memoryBytes: 256 * 2 ** 20,
      firmware: 'BIOS',
      macAddresses: ['52:54:00:aa:bb:01'],
    },
    observer,
  );
  executeCommand(store, systemStream('n1'), systemDecider, { type: 'ObservePowerState', powerState: 'Off' }, observer);

  // Done (200 with the resource, or 204), or accepted for later (202).
  const ok = (response: Response, status: number) =>
    expect(response.status === 204 ? 200 : response.status, response.url).toBe(status);
  ok(
    await request('PATCH', SYSTEM, { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } }),
    200,
  );
  ok(await request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' }), 200);
  ok(await request('PATCH', `${SYSTEM}/Bios/Settings`, { Attributes: { NumLockState: 'Off' } }), 200);
  ok(
    await request('POST', `${MANAGER}/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia`, {
      Image: 'http://images.example/boot.iso',
    }),
    200,
  );
  ok(
    await request('POST', `${STORAGE}/Volumes`, {
      RAIDType: 'RAID1',
      '@Redfish.OperationApplyTime': 'OnReset',
      Links: { Drives: [{ '@odata.id': `${STORAGE}/Drives/0` }, { '@odata.id': `${STORAGE}/Drives/1` }] },
    }),
    202,
  );
  ok(await request('POST', `/emulator/v1/Systems/n1/Storage/RAID/Drives/3/fail`), 200);
  executeCommand(store, systemStream('n1'), systemDecider, { type: 'ObservePowerState', powerState: 'On' }, observer);
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("The BMC's LogService", () => {
  it('is linked from the Manager: one LogService, History, of Event entries that wrap when full', async () => {
    expect((await get(MANAGER))['LogServices']).toEqual({ '@odata.id': `${MANAGER}/LogServices` });
    // The Manager's other links stay.
    expect((await get(MANAGER))['VirtualMedia']).toEqual({ '@odata.id': `${MANAGER}/VirtualMedia` });
    expect(await get(`${MANAGER}/LogServices`)).toMatchObject({
      '@odata.type': '#LogServiceCollection.LogServiceCollection',
      Members: [{ '@odata.id': LOG }],
      'Members@odata.count': 1,
    });
    expect(await get(LOG)).toMatchObject({
      '@odata.type': '#LogService.v1_9_0.LogService',
      Id: 'History',
      ServiceEnabled: true,
      LogEntryType: 'Event',
      OverWritePolicy: 'WrapsWhenFull',
      MaxNumberOfRecords: MAX_LOG_ENTRIES,
      Entries: { '@odata.id': ENTRIES },
    });
    const collection = await get(ENTRIES);
    expect(collection).toMatchObject({
      '@odata.id': ENTRIES,
      '@odata.type': '#LogEntryCollection.LogEntryCollection',
      Name: 'History Entries',
    });
    // LogEntryCollection expands its members: each is the entry itself, as a GET of it answers.
    expect(collection['Members@odata.count']).toBe(collection['Members'].length);
    for (const member of collection['Members']) expect(member).toEqual(await get(member['@odata.id']));
  });

  it('has one entry per event of the system and of its storage, oldest first, with the event as its Id', async () => {
    const events = queryHistory(emulator.store.db, { resource: SYSTEM });
    const listed = await entries();
    expect(listed.map((e) => e['Id'])).toEqual(events.map((e) => String(e.position)));
    expect(listed.map((e) => e['Created'])).toEqual(events.map((e) => e.recordedAt));
    expect(events.map((e) => e.type)).toEqual([
      'SystemRegistered',
      'StorageRegistered',
      'FirmwareRegistered',
      'DomainObserved',
      'PowerStateObserved',
      'BootOverrideChanged',
      'ResetRequested',
      'BiosSettingsRequested',
      'VirtualMediaInsertRequested',
      'VolumeCreateRequested',
      'DriveFailed',
      // Powered on: the machine booted, the one-time override is spent, the BIOS settings taken.
      'PowerStateObserved',
      'SystemBooted',
      'BootOverrideConsumed',
      'BiosSettingsApplied',
    ]);
    for (const entry of listed) {
      expect(entry).toMatchObject({
        '@odata.type': '#LogEntry.v1_21_0.LogEntry',
        EntryType: 'Event',
        Severity: expect.stringMatching(/^(OK|Warning|Critical)$/),
      });
      expect(entry['MessageId']).toMatch(/^(ResourceEvent\.1\.4|TaskEvent\.1\.0|Base\.1\.22)\.[A-Za-z]+$/);
    }
  });

  it('says what changed, who changed it and in which request, with the resource it is about', async () => {
    const byType = new Map(queryHistory(emulator.store.db, { resource: SYSTEM }).map((e) => [e.type, e]));
    const entry = (type: string) => get(`${ENTRIES}/${byType.get(type)!.position}`);

    const boot = await entry('BootOverrideChanged');
    expect(boot).toMatchObject({
      MessageId: 'ResourceEvent.1.4.PropertyValueModifiedByClient',
      MessageArgs: ['Boot/BootSourceOverrideTarget', 'Pxe'],
      Severity: 'OK',
      Originator: 'user:admin',
      OriginatorType: 'Client',
      Username: 'admin',
      Links: { OriginOfCondition: { '@odata.id': SYSTEM } },
    });
    const requestId = byType.get('BootOverrideChanged')!.meta.requestId!;
    expect(requestId).toBeTruthy();
    expect(boot['Message']).toBe(
      `The property Boot/BootSourceOverrideTarget was assigned the value 'Pxe' due to modification by a client. Boot source override: Pxe, Once. By user:admin, request ${requestId}.`,
    );
    expect(boot).not.toHaveProperty('OriginOfConditionUnavailable');

    expect(await entry('SystemRegistered')).toMatchObject({
      MessageId: 'ResourceEvent.1.4.ResourceCreated',
      Originator: 'lab-config',
      OriginatorType: 'Internal',
      Message: expect.stringContaining(
        'System Node one registered from the lab configuration: libvirt domain rfe-test-n1 at qemu:///system.',
      ),
    });
    expect(await entry('ResetRequested')).toMatchObject({
      MessageId: 'ResourceEvent.1.4.ResourcePoweringOn',
      MessageArgs: [SYSTEM],
      Message: expect.stringContaining('ResetType On requested'),
    });
    const power = queryHistory(emulator.store.db, { resource: SYSTEM, types: ['PowerStateObserved'] });
    expect(await get(`${ENTRIES}/${power[1]!.position}`)).toMatchObject({
      MessageId: 'ResourceEvent.1.4.ResourcePoweredOn',
      Message: `The resource '${SYSTEM}' has powered on. libvirt reports the domain running. By libvirt-observer.`,
      OriginatorType: 'Internal',
    });
    expect(await entry('BiosSettingsRequested')).toMatchObject({
      MessageArgs: ['Attributes', 'NumLockState=Off'],
      Links: { OriginOfCondition: { '@odata.id': `${SYSTEM}/Bios/Settings` } },
    });
    expect(await entry('VirtualMediaInsertRequested')).toMatchObject({
      MessageArgs: ['Image', 'http://images.example/boot.iso'],
      Links: { OriginOfCondition: { '@odata.id': `${MANAGER}/VirtualMedia/Cd` } },
    });
    const volume = await entry('VolumeCreateRequested');
    expect(volume).toMatchObject({
      MessageId: 'ResourceEvent.1.4.ResourceCreated',
      Links: { OriginOfCondition: { '@odata.id': `${STORAGE}/Volumes/1` } },
    });
    expect(volume['Message']).toMatch(
      /^The resource was created successfully\. Volume 1 requested: RAID1, 1 GiB on drives 0, 1; task \w+, carried out at the next reset\. By user:admin, request .+\.$/,
    );
    expect(await entry('DriveFailed')).toMatchObject({
      MessageId: 'ResourceEvent.1.4.ResourceStatusChangedCritical',
      MessageArgs: [`${STORAGE}/Drives/3`, 'Critical'],
      Severity: 'Critical',
      Message: expect.stringContaining('Drive 3 failed.'),
      Links: { OriginOfCondition: { '@odata.id': `${STORAGE}/Drives/3` } },
    });
    expect(await entry('BootOverrideConsumed')).toMatchObject({
      MessageId: 'Base.1.22.PropertyValueModified',
      Severity: 'OK',
      Originator: 'libvirt-observer',
    });
  });

  it('serves entries with the conventions of every view: ETag, 304, Allow, 404 and 405', async () => {
    const first = (await get(ENTRIES))['Members'][0]['@odata.id'] as string;
    const response = await request('GET', first);
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"\d+"$/);
    expect(response.headers.get('odata-version')).toBe('4.0');
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(response.headers.get('link')).toBe(
      '<http://redfish.dmtf.org/schemas/v1/LogEntry.v1_21_0.json>; rel=describedby',
    );
    expect((await request('GET', first, undefined, { 'if-none-match': etag })).status).toBe(304);
    expect((await request('GET', `${ENTRIES}/999999`)).status).toBe(404);
    const del = await request('DELETE', first);
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD');
    expect((await request('POST', ENTRIES, {})).status).toBe(405);
    // The collection, made by a route, answers the same way.
    const collection = await request('GET', ENTRIES);
    const listEtag = collection.headers.get('etag')!;
    expect(listEtag).toMatch(/^W\/"\d+"$/);
    expect(collection.headers.get('allow')).toBe('GET, HEAD');
    expect(collection.headers.get('odata-version')).toBe('4.0');
    expect(collection.headers.get('link')).toBe(
      '<http://redfish.dmtf.org/schemas/v1/LogEntryCollection.json>; rel=describedby',
    );
    expect((await request('GET', ENTRIES, undefined, { 'if-none-match': listEtag })).status).toBe(304);
    expect((await request('GET', '/redfish/v1/Managers/nobody/LogServices/History/Entries')).status).toBe(404);
    expect((await request('HEAD', ENTRIES)).status).toBe(200);
  });

  it('says a deleted volume is gone in the entries that name it, and rebuilds to the same documents', async () => {
    const store = emulator.store;
    const stream = storageStream('n1', 'RAID');
    const drives = [2, 3].map((i) => `${STORAGE}/Drives/${i}`);
    expect(
      executeCommand(
        store,
        stream,
        storageDecider,
        { type: 'ReplaceDrive', driveId: '3', serialNumber: 'NEW-3' },
        { actor: 'cli' },
      ).ok,
    ).toBe(true);
    const made = executeCommand(
      store,
      stream,
      storageDecider,
      { type: 'CreateVolume', taskId: 'mk', applyTime: 'Immediate', request: { raidType: 'RAID0', drives } },
      { actor: 'user:admin', requestId: 'req-mk' },
    );
    expect(made).toMatchObject({ ok: true });
    const reconciler = { actor: 'reconciler' };
    expect(
      executeCommand(store, stream, storageDecider, { type: 'RecordOperationOutcome', taskId: 'mk' }, reconciler).ok,
    ).toBe(true);
    const volume = `${STORAGE}/Volumes/2`;
    await get(volume);
    expect(
      executeCommand(
        store,
        stream,
        storageDecider,
        { type: 'DeleteVolume', taskId: 'rm', applyTime: 'Immediate', volumeId: '2' },
        { actor: 'user:admin' },
      ).ok,
    ).toBe(true);
    expect(
      executeCommand(store, stream, storageDecider, { type: 'RecordOperationOutcome', taskId: 'rm' }, reconciler).ok,
    ).toBe(true);
    expect((await request('GET', volume)).status).toBe(404);

    const etagBefore = (await request('GET', ENTRIES)).headers.get('etag');
    const listed = await entries();
    const naming = listed.filter((e) => e['Links']['OriginOfCondition']['@odata.id'] === volume);
    expect(naming.map((e) => e['MessageId'])).toEqual([
      'ResourceEvent.1.4.ResourceCreated',
      'ResourceEvent.1.4.ResourceChanged',
    ]);
    for (const entry of naming) expect(entry['OriginOfConditionUnavailable']).toBe(true);
    expect(listed.filter((e) => e['OriginOfConditionUnavailable'] === true)).toHaveLength(2);
    expect(listed.at(-1)).toMatchObject({
      MessageId: 'TaskEvent.1.0.TaskCompletedOK',
      MessageArgs: ['rm'],
      Message: "The task with Id 'rm' has completed. Delete volume 2 on n1 RAID: done in libvirt. By reconciler.",
      Links: { OriginOfCondition: { '@odata.id': '/redfish/v1/TaskService/Tasks/rm' } },
    });
    expect(
      listed.find(
        (e) => e['MessageArgs'][0] === `${STORAGE}/Drives/3` && e['MessageId'].endsWith('ResourceStatusChangedOK'),
      ),
    ).toMatchObject({
      Message: `The health of resource '${STORAGE}/Drives/3' has changed to OK. A new drive, serial NEW-3, took bay 3. By cli.`,
      OriginatorType: 'Client',
    });

    // Marking older entries moved the collection's ETag too.
    expect(etagBefore).toBe(`W/"${store.lastPosition()}"`);

    const managerViews = () =>
      store.db
        .prepare(
          "SELECT odata_id, body, position FROM views WHERE odata_id LIKE '/redfish/v1/Managers/%' ORDER BY odata_id",
        )
        .all();
    const live = managerViews();
    rebuildViews(store.db, projectors);
    store.views.invalidate();
    expect(managerViews()).toEqual(live);
  });
});
