import { describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { executeCommand, loadState } from '../../src/eventstore/execute-command.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { projectors, PROJECTION_VERSION } from '../../src/projections/catalog.js';
import { rebuildViews } from '../../src/views/rebuild.js';
import { MAX_TASKS, taskUri } from '../../src/projections/tasks.js';
import { serviceDecider } from '../../src/domain/service/service-decider.js';
import { systemDecider } from '../../src/domain/system/system-decider.js';
import { storageDecider, type StorageCommand } from '../../src/domain/storage/storage-decider.js';
import { driveUri, storageStream } from '../../src/domain/storage/storage-events.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import type { SqliteDatabase } from '../../src/eventstore/database.js';
import { useTempDirs } from '../support/temp-dir.js';
import { registerStorage } from '../support/storage-registration.js';

const tempDir = useTempDirs();
const STORAGE = storageStream('n1', 'RAID');
const GiB = 1024 ** 3;

function openLab(file: string): EventStore {
  let tick = 0;
  const clock = () => new Date(Date.UTC(2026, 0, 1) + (tick += 1) * 1000);
  const { store } = openEventStore({ file, projectors, projectionVersion: PROJECTION_VERSION, clock });
  executeCommand(store, '/redfish/v1', serviceDecider, {
    type: 'CreateService',
    uuid: '8a5c2f1e-0000-4000-8000-000000000001',
    name: 'BMC',
    product: 'p',
    redfishVersion: '1.20.0',
  });
  executeCommand(store, systemStream('n1'), systemDecider, {
    type: 'RegisterSystem',
    systemId: 'n1',
    name: 'Node',
    libvirtUri: 'test:///default',
    domainName: 'n1',
  });
  storage(store, registerStorage('n1', 'RAID', 4));
  return store;
}

function storage(store: EventStore, command: StorageCommand) {
  const outcome = executeCommand(store, STORAGE, storageDecider, command);
  if (!outcome.ok) throw new Error(`${command.type}: ${outcome.problem.messageId}`);
  return outcome;
}

const links = (...ids: number[]) => ids.map((i) => driveUri('n1', 'RAID', String(i)));
const view = (store: EventStore, id: string) => JSON.parse(store.views.get(id)!.body) as Record<string, any>;
const dump = (db: SqliteDatabase) =>
  JSON.stringify(db.prepare('SELECT odata_id, body, position FROM views ORDER BY odata_id').all());

describe('storage views', () => {
  it('follow volumes, tasks and faults, and rebuild from the log to the same bytes', () => {
    const store = openLab(join(tempDir(), 'events.db'));
    storage(store, {
      type: 'CreateVolume',
      taskId: 't1',
      applyTime: 'Immediate',
      request: { raidType: 'RAID1', drives: links(0, 1), capacityBytes: GiB / 4 },
    });
    storage(store, { type: 'RecordOperationOutcome', taskId: 't1' });
    storage(store, {
      type: 'CreateVolume',
      taskId: 't2',
      applyTime: 'OnReset',
      name: 'later',
      request: { raidType: 'RAID5', drives: links(1, 2, 3) },
    });
    storage(store, {
      type: 'CreateVolume',
      taskId: 't3',
      applyTime: 'Immediate',
      request: { raidType: 'RAID0', drives: links(0) },
    });
    storage(store, { type: 'RecordOperationOutcome', taskId: 't3', message: 'pool full' });

    expect(view(store, `${STORAGE}/Volumes`)['Members']).toEqual([
      { '@odata.id': `${STORAGE}/Volumes/1` },
      { '@odata.id': `${STORAGE}/Volumes/2` },
    ]);
    expect(view(store, `${STORAGE}/Volumes/1`)).toMatchObject({
      Status: { State: 'Enabled', Health: 'OK' },
      RAIDType: 'RAID1',
      VolumeType: 'Mirrored',
      CapacityBytes: GiB / 4,
    });
    expect(view(store, `${STORAGE}/Volumes/2`)).toMatchObject({
      Name: 'later',
      Status: { State: 'Disabled', Health: 'OK' },
    });
    expect(view(store, taskUri('t1'))).toMatchObject({
      TaskState: 'Completed',
      Links: { CreatedResources: [{ '@odata.id': `${STORAGE}/Volumes/1` }] },
    });
    expect(view(store, taskUri('t2'))).toMatchObject({
      TaskState: 'Pending',
      TaskMonitor: '/redfish/v1/TaskService/TaskMonitors/t2',
    });
    expect(view(store, taskUri('t3'))).toMatchObject({ TaskState: 'Exception', TaskStatus: 'Critical' });
    expect(view(store, taskUri('t3'))['Messages'][0]['Message']).toContain('pool full');
    expect(view(store, `/redfish/v1/Systems/n1/SimpleStorage/RAID`)['Devices']).toEqual([
      { Name: 'Volume 1', Model: 'RAID1', CapacityBytes: GiB / 4, Status: { State: 'Enabled', Health: 'OK' } },
    ]);

    storage(store, { type: 'FailDrive', driveId: '1' });
    expect(view(store, `${STORAGE}/Volumes/1`)['Status']).toEqual({ State: 'Enabled', Health: 'Warning' });
    expect(view(store, driveUri('n1', 'RAID', '1'))['Status']).toEqual({
      State: 'UnavailableOffline',
      Health: 'Critical',
    });
    storage(store, { type: 'ReplaceDrive', driveId: '1', serialNumber: 'NEW' });
    storage(store, { type: 'RecordRebuildProgress', volumeId: '1', percent: 40 });
    expect(view(store, `${STORAGE}/Volumes/1`)['Operations']).toEqual([
      { Operation: 'Rebuild', PercentageComplete: 40 },
    ]);
    expect(view(store, driveUri('n1', 'RAID', '1'))).toMatchObject({
      SerialNumber: 'NEW',
      Operations: [{ Operation: 'Rebuild', PercentageComplete: 40 }],
    });
    storage(store, { type: 'RenameVolume', volumeId: '1', name: 'boot' });
    storage(store, { type: 'DeleteVolume', taskId: 't4', applyTime: 'Immediate', volumeId: '1' });
    storage(store, { type: 'RecordOperationOutcome', taskId: 't4' });
    // The task that made it no longer links to the deleted volume.
    expect(view(store, taskUri('t1'))).toMatchObject({ TaskState: 'Completed', Links: { CreatedResources: [] } });
    expect(store.views.get(`${STORAGE}/Volumes/1`)).toBeUndefined();
    expect(view(store, driveUri('n1', 'RAID', '0'))['Links']['Volumes']).toEqual([]);

    // A view changes position (its ETag) only when its document changes.
    const drive3 = store.views.get(driveUri('n1', 'RAID', '3'))!.position;
    storage(store, { type: 'RenameVolume', volumeId: '2', name: 'renamed' });
    expect(store.views.get(driveUri('n1', 'RAID', '3'))!.position).toBe(drive3);

    const live = dump(store.db);
    rebuildViews(store.db, projectors);
    expect(dump(store.db)).toBe(live);
  });

  it('keeps what other projectors added to the BMC, chassis and system when a system is registered again', () => {
    const store = openLab(join(tempDir(), 'events.db'));
    const before = { manager: view(store, '/redfish/v1/Managers/n1'), chassis: view(store, '/redfish/v1/Chassis/n1') };
    expect(before.manager['VirtualMedia']).toBeDefined();
    expect(before.chassis['Links']['Drives']).toHaveLength(4);
    executeCommand(store, systemStream('n1'), systemDecider, {
      type: 'RegisterSystem',
      systemId: 'n1',
      name: 'Renamed',
      libvirtUri: 'test:///default',
      domainName: 'n1',
    });
    expect(view(store, '/redfish/v1/Managers/n1')).toEqual({ ...before.manager, Name: 'Renamed BMC' });
    expect(view(store, '/redfish/v1/Chassis/n1')).toEqual({ ...before.chassis, Name: 'Renamed chassis' });
  });

  it('keeps the newest tasks past the limit, and never one still running', () => {
    const store = openLab(join(tempDir(), 'events.db'));
    storage(store, {
      type: 'CreateVolume',
      taskId: 'waiting',
      applyTime: 'OnReset',
      request: { raidType: 'RAID0', drives: links(3), capacityBytes: 1024 * 1024 },
    });
    for (let i = 0; i < MAX_TASKS + 5; i += 2) {
      storage(store, {
        type: 'CreateVolume',
        taskId: `c${i}`,
        applyTime: 'Immediate',
        request: { raidType: 'RAID0', drives: links(0), capacityBytes: 1024 * 1024 },
      });
      storage(store, { type: 'RecordOperationOutcome', taskId: `c${i}` });
      const volumeId = String(loadState(store, STORAGE, storageDecider).state.volumesEverRequested);
      storage(store, { type: 'DeleteVolume', taskId: `c${i + 1}`, applyTime: 'Immediate', volumeId });
      storage(store, { type: 'RecordOperationOutcome', taskId: `c${i + 1}` });
    }
    const members = (view(store, '/redfish/v1/TaskService/Tasks')['Members'] as { '@odata.id': string }[]).map(
      (m) => m['@odata.id'],
    );
    expect(members).toHaveLength(MAX_TASKS);
    expect(members[0]).toBe(taskUri('waiting'));
    // 507 made: the oldest seven finished ones gave way, the one waiting for a reset stayed.
    expect(members.at(-1)).toBe(taskUri(`c${MAX_TASKS + 5}`));
    expect(store.views.get(taskUri('c6'))).toBeUndefined();
    expect(store.views.get(taskUri('c7'))).toBeDefined();
  });

  it('loads a stream that did not move since it was folded without reading it, and one that moved by reading what is new', () => {
    const store = openLab(join(tempDir(), 'events.db'));
    const folded = loadState(store, STORAGE, storageDecider);
    const reads = vi.spyOn(store, 'readStream');
    expect(loadState(store, STORAGE, storageDecider)).toEqual(folded);
    expect(reads).not.toHaveBeenCalled();
    executeCommand(store, STORAGE, storageDecider, { type: 'FailDrive', driveId: '2' });
    const { state, version } = loadState(store, STORAGE, storageDecider);
    expect(state.failedDrives).toEqual([driveUri('n1', 'RAID', '2')]);
    expect(version).toBe(folded.version + 1);
    // One read: the load after the append, of the one event it added.
    expect(reads).toHaveBeenCalledTimes(1);
    store.db.close();
  });

  it('loads a stream another connection appended to since the state was last folded, from the next turn of the event loop', async () => {
    const file = join(tempDir(), 'events.db');
    const one = openLab(file);
    const other = openEventStore({ file, projectors, projectionVersion: PROJECTION_VERSION }).store;
    expect(loadState(one, STORAGE, storageDecider).state.failedDrives).toEqual([]);
    executeCommand(other, STORAGE, storageDecider, { type: 'FailDrive', driveId: '2' });
    await new Promise((resolve) => setImmediate(resolve));
    const { state, version } = loadState(one, STORAGE, storageDecider);
    expect(state.failedDrives).toEqual([driveUri('n1', 'RAID', '2')]);
    expect(version).toBe(other.streamVersion(STORAGE));
    other.db.close();
    one.db.close();
  });
});

describe('the disks the host sees beside an emulated controller', () => {
  it('lists the domain root disk and the controller volumes in one SimpleStorage collection, in either order of events', () => {
    const store = openLab(join(tempDir(), 'events.db'));
    const SIMPLE = '/redfish/v1/Systems/n1/SimpleStorage';
    const observe = (disks: { target: string; bus: string; capacityBytes?: number }[]) =>
      executeCommand(store, systemStream('n1'), systemDecider, {
        type: 'ObserveDomain',
        uuid: '7c4c3e0e-1d2b-4a5f-9e6d-0a1b2c3d4e5f',
        vcpus: 1,
        memoryBytes: GiB,
        firmware: 'BIOS',
        macAddresses: [],
        disks,
      });
    observe([{ target: 'vda', bus: 'virtio', capacityBytes: 10 * GiB }]);
    expect(view(store, SIMPLE)['Members']).toEqual([
      { '@odata.id': `${SIMPLE}/virtio` },
      { '@odata.id': `${SIMPLE}/RAID` },
    ]);
    expect(view(store, `${SIMPLE}/virtio`)['Devices']).toEqual([
      { Name: 'vda', Status: { State: 'Enabled', Health: 'OK' }, CapacityBytes: 10 * GiB },
    ]);
    // The controller's documents change with its volumes; the root disk's bus stays a member.
    storage(store, {
      type: 'CreateVolume',
      taskId: 't1',
      applyTime: 'Immediate',
      request: { raidType: 'RAID1', drives: links(0, 1), capacityBytes: GiB / 4 },
    });
    expect(
      view(store, SIMPLE)
        ['Members'].map((m: { '@odata.id': string }) => m['@odata.id'])
        .sort(),
    ).toEqual([`${SIMPLE}/RAID`, `${SIMPLE}/virtio`]);
    observe([]);
    expect(view(store, SIMPLE)['Members']).toEqual([{ '@odata.id': `${SIMPLE}/RAID` }]);
    expect(store.views.get(`${SIMPLE}/virtio`)).toBeUndefined();
  });
});
