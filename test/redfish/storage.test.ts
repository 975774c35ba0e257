import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backingVolumeName } from '../../src/domain/storage/backing-volume-name.js';
import { storeTag } from '../../src/service-identity.js';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DeviceModifyFlag, DomainXmlFlag } from '../../src/libvirt/constants.js';
import { diskDeviceXml } from '../../src/libvirt/xml/device-xml.js';
import { volumeXml } from '../../src/libvirt/xml/storage-xml.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { loadState } from '../../src/eventstore/execute-command.js';
import { storageDecider } from '../../src/domain/storage/storage-decider.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { uniqueName, tearDownLab } from '../support/libvirt.js';
import { runCli } from '../support/run-cli.js';
import { acceptedPosition } from '../support/accepted-position.js';

/*
 * Storage and RAID end to end: the emulator in this process over the real libvirtd, a lab of
 * one system whose domain is defined by the emulator, volumes laid out with fetch and with
 * Debian's python3-sushy, checked against what libvirt holds.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-storage-'));
const poolDir = join(dir, 'pool');
const domainName = uniqueName('storage');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/s1';
const STORAGE = `${SYSTEM}/Storage/RAID`;
const VOLUMES = `${STORAGE}/Volumes`;
const drive = (id: number) => ({ '@odata.id': `${STORAGE}/Drives/${id}` });
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
let config: EmulatorConfig;
let emulator: RunningEmulator;
/** The backing volume of volume `id`: named with this store's tag. */
const backing = (id: string) => backingVolumeName('s1', 'RAID', storeTag(emulator.store), id);
let libvirt: LibvirtClient;

const { request, get } = redfishClient(() => emulator.url);

const members = async (path: string) =>
  ((await get(path))['Members'] as { '@odata.id': string }[]).map((m) => m['@odata.id']);

/** The names of the libvirt volumes in the lab's pool. */
async function poolVolumes(): Promise<string[]> {
  const pool = await libvirt.poolLookupByName(poolName);
  await libvirt.poolRefresh(pool);
  return (await libvirt.poolListVolumes(pool)).map((v) => v.name).sort();
}

/** The file-backed disks of the domain's persistent definition (or of the running machine). */
async function domainDisks(flags: number = DomainXmlFlag.Inactive) {
  const domain = await libvirt.domainLookupByName(domainName);
  return readDomainXml(await libvirt.domainGetXml(domain, flags)).disks.filter((d) => d.device === 'disk');
}

async function powerOff(): Promise<void> {
  await request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' });
  await expect.poll(async () => (await get(SYSTEM))['PowerState'], { timeout: 60_000, interval: 100 }).toBe('Off');
}

async function createVolume(body: Record<string, unknown>): Promise<string> {
  const response = await request('POST', VOLUMES, body);
  expect(
    response.status,
    JSON.stringify(
      await response
        .clone()
        .json()
        .catch(() => ({})),
    ),
  ).toBe(201);
  return response.headers.get('location')!;
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  const drives = [
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({
      id: String(i),
      capacityBytes: GiB,
      mediaType: 'HDD',
      protocol: 'SAS',
      rotationSpeedRPM: 10000,
    })),
    ...[8, 9].map((i) => ({ id: String(i), capacityBytes: GiB / 2, mediaType: 'SSD', protocol: 'SAS' })),
  ];
  config = testConfig(dir, {
    auth: { enabled: true },
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: poolDir } },
    lab: {
      createMissingDomains: true,
      rebuildSeconds: 2,
      systems: [
        {
          id: 's1',
          name: 'Storage node',
          domain: domainName,
          vcpus: 1,
          memoryMiB: 64,
          storage: [{ id: 'RAID', name: 'RAID controller', drives }],
        },
      ],
    },
  }).config;
  libvirt = await LibvirtClient.connect('qemu:///system');
  // Immediate work is awaited however busy the machine is, so answers are 201/204 here; the
  // task monitor path is tested with OnReset requests.
  emulator = await startEmulator(config, { resyncIntervalMs: 500, settleWaitMs: 60_000 });
  await emulator.lab!.ready;
});

afterAll(async () => {
  await tearDownLab({ emulator, libvirt, domainName, poolName, dir });
});

describe('Storage over a real libvirt lab', { timeout: 180_000 }, () => {
  it('presents the configured controller and drives, linked from the system and chassis', async () => {
    expect((await get(SYSTEM))['Storage']).toEqual({ '@odata.id': `${SYSTEM}/Storage` });
    expect(await members(`${SYSTEM}/Storage`)).toEqual([STORAGE]);
    const storage = await get(STORAGE);
    expect(storage).toMatchObject({
      '@odata.type': '#Storage.v1_21_0.Storage',
      Id: 'RAID',
      Name: 'RAID controller',
      Status: { State: 'Enabled', Health: 'OK', HealthRollup: 'OK' },
      Volumes: { '@odata.id': VOLUMES },
      Controllers: { '@odata.id': `${STORAGE}/Controllers` },
      'Drives@odata.count': 10,
    });
    expect(storage['StorageControllers'][0]).toMatchObject({
      MemberId: '0',
      SupportedRAIDTypes: ['None', 'RAID0', 'RAID1', 'RAID5', 'RAID6', 'RAID10', 'RAID50', 'RAID60'],
    });
    expect(await get(`${STORAGE}/Controllers/0`)).toMatchObject({
      '@odata.type': '#StorageController.v1_11_0.StorageController',
      SupportedDeviceProtocols: ['SAS'],
    });
    expect(await get(`${STORAGE}/Drives/8`)).toMatchObject({
      CapacityBytes: GiB / 2,
      MediaType: 'SSD',
      Protocol: 'SAS',
      BlockSizeBytes: 512,
      Status: { State: 'Enabled', Health: 'OK' },
      Links: { Volumes: [] },
    });
    expect((await get('/redfish/v1/Chassis/s1'))['Links']['Drives']).toHaveLength(10);
    const volumes = await get(VOLUMES);
    expect(volumes).toMatchObject({
      Members: [],
      '@Redfish.OperationApplyTimeSupport': { SupportedValues: ['Immediate', 'OnReset'] },
    });
    expect(await get(`${SYSTEM}/SimpleStorage/RAID`)).toMatchObject({ Devices: [] });
  });

  it('refuses a bad create with the Base message and a 400, and changes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ RAIDType: 'RAID7', Links: { Drives: [drive(0), drive(1)] } }, 'PropertyValueNotInList'],
      [{ RAIDType: 'RAID5', Links: { Drives: [drive(0), drive(1)] } }, 'ArraySizeTooShort'],
      [
        { RAIDType: 'RAID1', CapacityBytes: 4 * GiB, Links: { Drives: [drive(0), drive(1)] } },
        'PropertyValueOutOfRange',
      ],
      [{ RAIDType: 'RAID1', CapacityBytes: -1, Links: { Drives: [drive(0), drive(1)] } }, 'PropertyValueOutOfRange'],
      [{ RAIDType: 'RAID1', CapacityBytes: 'big', Links: { Drives: [drive(0), drive(1)] } }, 'PropertyValueTypeError'],
      [
        {
          RAIDType: 'RAID1',
          Links: { Drives: [drive(0), { '@odata.id': '/redfish/v1/Systems/s1/Storage/RAID/Drives/99' }] },
        },
        'ResourceNotFound',
      ],
      [{ RAIDType: 'RAID1', Links: { Drives: [drive(0), drive(8)] } }, 'PropertyValueResourceConflict'],
      [{ RAIDType: 'RAID1', Links: { Drives: [drive(0), drive(0)] } }, 'PropertyValueConflict'],
      [
        { RAIDType: 'RAID1', VolumeType: 'StripedWithParity', Links: { Drives: [drive(0), drive(1)] } },
        'PropertyValueConflict',
      ],
      [{ Links: { Drives: [drive(0)] } }, 'CreateFailedMissingReqProperties'],
      [{ RAIDType: 'RAID0', Encrypted: true, Links: { Drives: [drive(0)] } }, 'PropertyValueNotInList'],
      [{ RAIDType: 'RAID0', Colour: 'red', Links: { Drives: [drive(0)] } }, 'PropertyUnknown'],
      [{ RAIDType: 'RAID0', Id: '7', Links: { Drives: [drive(0)] } }, 'PropertyNotWritable'],
      [
        { RAIDType: 'RAID0', '@Redfish.OperationApplyTime': 'AtMaintenanceWindowStart', Links: { Drives: [drive(0)] } },
        'PropertyValueNotInList',
      ],
    ];
    const before = acceptedPosition(emulator.store);
    for (const [body, messageId] of cases) {
      const response = await request('POST', VOLUMES, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = (await response.json()) as { error: { '@Message.ExtendedInfo': { MessageId: string }[] } };
      expect(
        error.error['@Message.ExtendedInfo'].map((m) => m.MessageId.split('.').pop()),
        JSON.stringify(body),
      ).toContain(messageId);
    }
    expect((await request('POST', `${SYSTEM}/Storage/Nope/Volumes`, { RAIDType: 'RAID0' })).status).toBe(404);
    expect((await request('DELETE', `${VOLUMES}/42`)).status).toBe(404);
    expect(acceptedPosition(emulator.store)).toBe(before);
    expect(await members(VOLUMES)).toEqual([]);
    expect(await poolVolumes()).toEqual([]);
  });

  it('is driven by sushy: RAID1, RAID5 and RAID10 Immediate and OnReset, read back, initialized, deleted; libvirt follows', async () => {
    const script = `
import json, sushy, time
from sushy.resources import constants as rc
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
s = c.get_system('${SYSTEM}')
st = s.storage.get_members()[0]
drives = {d.identity: d.path for d in st.drives}
links = lambda ids: {'Drives': [{'@odata.id': drives[i]} for i in ids]}
vols = st.volumes
out = {'controller_raid_types': sorted(t.value for t in st.storage_controllers[0].raid_types)}
made = []
for raid, ids, size in [('RAID1', ['0', '1'], 256 * 2**20), ('RAID5', ['2', '3', '4'], 512 * 2**20), ('RAID10', ['4', '5', '6', '7'], 256 * 2**20)]:
    v = vols.create({'RAIDType': raid, 'CapacityBytes': size, 'Links': links(ids)}, apply_time=rc.ApplyTime.IMMEDIATE)
    made.append([v.identity, v.raid_type.value, v.capacity_bytes, [i.durable_name for i in v.identifiers]])
out['immediate'] = made
monitors = []
for raid, ids in [('RAID1', ['0', '1']), ('RAID5', ['5', '6', '7'])]:
    tm = vols.create({'RAIDType': raid, 'CapacityBytes': 64 * 2**20, 'Links': links(ids)}, apply_time=rc.ApplyTime.ON_RESET)
    monitors.append(tm)
out['pending'] = [[tm.is_processing, tm.task.task_state.value, tm.task_monitor_uri] for tm in monitors]
vols.refresh(force=True)
out['listed_before_reset'] = sorted(m.identity for m in vols.get_members())
s.reset_system(sushy.ResetType.ON)
for tm in monitors:
    for i in range(100):
        if not tm.check_is_processing: break
        time.sleep(0.1)
out['after_reset'] = [[tm.response.status_code, tm.response.headers.get('Location'), tm.get_task().task_state.value] for tm in monitors]
print(json.dumps(out))
`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = JSON.parse(stdout) as Record<string, any>;
    expect(out['controller_raid_types']).toEqual([
      'None',
      'RAID0',
      'RAID1',
      'RAID10',
      'RAID5',
      'RAID50',
      'RAID6',
      'RAID60',
    ]);
    expect(out['immediate'].map((v: any[]) => v.slice(0, 3))).toEqual([
      ['1', 'RAID1', 256 * MiB],
      ['2', 'RAID5', 512 * MiB],
      ['3', 'RAID10', 256 * MiB],
    ]);
    expect(out['pending'].map((p: any[]) => p.slice(0, 2))).toEqual([
      [true, 'Pending'],
      [true, 'Pending'],
    ]);
    expect(out['pending'][0][2]).toMatch(/^\/redfish\/v1\/TaskService\/TaskMonitors\/[0-9a-f]+$/);
    // Pending volumes are listed (Disabled until made), but libvirt holds only the three made.
    expect(out['listed_before_reset']).toEqual(['1', '2', '3', '4', '5']);
    expect(out['after_reset']).toEqual([
      [201, `${VOLUMES}/4`, 'Completed'],
      [201, `${VOLUMES}/5`, 'Completed'],
    ]);
    const names = await poolVolumes();
    expect(names).toEqual(['1', '2', '3', '4', '5'].map((id) => backing(id)));
    const disks = await domainDisks();
    expect(disks).toHaveLength(5);
    for (const id of ['1', '2', '3', '4', '5']) {
      const volume = await get(`${VOLUMES}/${id}`);
      expect(volume['Status']).toEqual({ State: 'Enabled', Health: 'OK' });
      const disk = disks.find((d) => d.sourceFile === join(poolDir, backing(id)));
      expect(disk?.serial).toBe(volume['Identifiers'][0]['DurableName']);
      // On the controller's own virtio-scsi controller, at an explicit address, named from sdaa on.
      expect(disk).toMatchObject({ targetBus: 'scsi', driveAddress: { controller: 0, bus: 0, target: 0 } });
      expect(disk?.targetDev).toMatch(/^sd[a-z]{2}$/);
    }
    expect(await get(`${STORAGE}/Drives/4`)).toMatchObject({
      Links: { Volumes: [{ '@odata.id': `${VOLUMES}/2` }, { '@odata.id': `${VOLUMES}/3` }] },
    });
    expect((await get(`${SYSTEM}/SimpleStorage/RAID`))['Devices']).toHaveLength(5);
    const capacity = await libvirt.volumeGetInfo(
      await libvirt.volumeLookupByName(await libvirt.poolLookupByName(poolName), backing('2')),
    );
    expect(capacity.capacity).toBe(BigInt(512 * MiB));

    // Deletes on a stopped machine are immediate; on a running one the guest is asked to let go.
    await powerOff();
    const finish = `
import json, sushy
from sushy.resources import constants as rc
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
vols = c.get_system('${SYSTEM}').storage.get_members()[0].volumes
v = vols.get_member('${VOLUMES}/2')
init = v.initialize(value='Fast', apply_time=rc.ApplyTime.IMMEDIATE)
deleted = []
for m in vols.get_members():
    deleted.append([m.identity, m.delete(apply_time=rc.ApplyTime.IMMEDIATE)])
left = c.get_system('${SYSTEM}').storage.get_members()[0].volumes.get_members()
print(json.dumps({'init': init, 'deleted': deleted, 'left': len(left)}))
`;
    const finished = JSON.parse(
      (await promisify(execFile)('/usr/bin/python3', ['-c', finish], { encoding: 'utf8', timeout: 120_000 })).stdout,
    );
    expect(finished).toEqual({ init: null, deleted: ['1', '2', '3', '4', '5'].map((id) => [id, null]), left: 0 });
    expect(await poolVolumes()).toEqual([]);
    expect(await domainDisks()).toEqual([]);
    expect(queryHistory(emulator.store.db, { types: ['VolumeInitializeRequested'] })).toHaveLength(1);
  });

  it('answers 202 with a task monitor for work that waits for a reset, and the create once it is done', async () => {
    const response = await request('POST', VOLUMES, {
      RAIDType: 'RAID0',
      CapacityBytes: 32 * MiB,
      Links: { Drives: [drive(0)] },
      '@Redfish.OperationApplyTime': 'OnReset',
    });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    const monitor = response.headers.get('location')!;
    const waiting = await request('GET', monitor);
    expect(waiting.status).toBe(202);
    // sushy sleeps on a Retry-After it can parse as a date; a number of seconds it cannot.
    const retryAfter = waiting.headers.get('retry-after')!;
    expect(retryAfter).not.toMatch(/^\d+$/);
    expect(Number.isNaN(Date.parse(retryAfter))).toBe(false);
    const task = (await waiting.json()) as Record<string, any>;
    expect(task).toMatchObject({ TaskState: 'Pending', TaskMonitor: monitor });
    expect(await get(task['@odata.id'])).toMatchObject({
      TaskState: 'Pending',
      Payload: { HttpOperation: 'POST', TargetUri: VOLUMES },
    });
    const pending = (await members(VOLUMES)).at(-1)!;
    expect((await get(pending))['Status']).toEqual({ State: 'Disabled', Health: 'OK' });
    expect(await poolVolumes()).toEqual([]);

    await request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' });
    await expect.poll(async () => (await request('GET', monitor)).status, { timeout: 60_000, interval: 100 }).toBe(201);
    const done = await request('GET', monitor);
    expect(done.headers.get('location')).toBe(pending);
    expect(await done.json()).toMatchObject({
      TaskState: 'Completed',
      TaskStatus: 'OK',
      PercentComplete: 100,
      Links: { CreatedResources: [{ '@odata.id': pending }] },
    });
    // Hot-plugged into the running machine, and kept in its definition.
    const live = await domainDisks(0);
    expect(live.map((d) => d.sourceFile)).toContain(join(poolDir, backing(pending.split('/').pop()!)));

    // DisplayName is the name a client writes; Name is read-only in the schema, and CapacityBytes,
    // writable there, is not something the emulator changes: only its own value is accepted.
    const rename = await request('PATCH', pending, { DisplayName: 'scratch' });
    expect(rename.status).toBe(200);
    expect(await rename.json()).toMatchObject({ DisplayName: 'scratch' });
    for (const [body, messageId] of [
      [{ Name: 'other' }, 'PropertyNotWritable'],
      [{ CapacityBytes: 1 }, 'PropertyValueNotInList'],
    ] as const) {
      const refused = await request('PATCH', pending, body);
      expect([refused.status, ((await refused.json()) as any).error.code]).toEqual([400, `Base.1.22.${messageId}`]);
    }
    await powerOff();
    expect((await request('DELETE', pending)).status).toBe(204);
    expect(await poolVolumes()).toEqual([]);
  });

  it('cancels work that waits for a reset: DELETE of its task monitor, its Task, or the volume it was to make', async () => {
    const onReset = async (driveId: number) => {
      const response = await request('POST', VOLUMES, {
        RAIDType: 'RAID0',
        CapacityBytes: 16 * MiB,
        Links: { Drives: [drive(driveId)] },
        '@Redfish.OperationApplyTime': 'OnReset',
      });
      expect(response.status).toBe(202);
      return { monitor: response.headers.get('location')!, volume: (await members(VOLUMES)).at(-1)! };
    };
    const volumesBefore = await members(VOLUMES);
    const byMonitor = await onReset(1);
    const cancelled = await request('DELETE', byMonitor.monitor);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({
      TaskState: 'Cancelled',
      Messages: [{ MessageId: expect.stringMatching(/^TaskEvent\.1\.\d+\.TaskCancelled$/) }],
    });
    expect((await request('GET', byMonitor.volume)).status).toBe(404);
    // The monitor answers with the task, which says it was cancelled.
    const after = await request('GET', byMonitor.monitor);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ TaskState: 'Cancelled' });

    const byTask = await onReset(2);
    const taskId = byTask.monitor.split('/').pop()!;
    expect((await request('DELETE', `/redfish/v1/TaskService/Tasks/${taskId}`)).status).toBe(200);
    expect(await get(`/redfish/v1/TaskService/Tasks/${taskId}`)).toMatchObject({ TaskState: 'Cancelled' });

    const byVolume = await onReset(3);
    expect((await request('DELETE', byVolume.volume)).status).toBe(204);
    expect(await get(`/redfish/v1/TaskService/Tasks/${byVolume.monitor.split('/').pop()}`)).toMatchObject({
      TaskState: 'Cancelled',
    });
    expect(await members(VOLUMES)).toEqual(volumesBefore);

    // Nothing of them is made at the next boot, and a finished task cannot be cancelled.
    const history = queryHistory(emulator.store.db, { streamId: STORAGE, types: ['VolumeOperationCancelled'] });
    expect(history.map((e) => e.meta.actor)).toEqual(['user:admin', 'user:admin', 'user:admin']);
    await request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' });
    await expect.poll(async () => (await get(SYSTEM))['PowerState'], { timeout: 30_000 }).toBe('On');
    await powerOff();
    expect(await poolVolumes()).toEqual([]);
    const refused = await request('DELETE', byMonitor.monitor);
    expect(refused.status).toBe(409);
  });

  it('fails and replaces drives: degraded volumes rebuild, lost ones stay failed, all from the admin API and the CLI', async () => {
    const mirror = await createVolume({
      RAIDType: 'RAID1',
      CapacityBytes: 64 * MiB,
      Links: { Drives: [drive(0), drive(1)] },
    });
    const stripe = await createVolume({
      RAIDType: 'RAID0',
      CapacityBytes: 64 * MiB,
      Links: { Drives: [drive(1), drive(2)] },
    });
    const admin = (path: string, body?: unknown) =>
      request('POST', `/emulator/v1/Systems/s1/Storage/RAID/Drives/${path}`, body);

    expect(
      (await fetch(`${emulator.url}/emulator/v1/Systems/s1/Storage/RAID/Drives/1/fail`, { method: 'POST' })).status,
    ).toBe(401);
    const failed = await admin('1/fail');
    expect(failed.status).toBe(200);
    expect(await failed.json()).toMatchObject({ Status: { State: 'UnavailableOffline', Health: 'Critical' } });
    expect((await get(mirror))['Status']).toEqual({ State: 'Enabled', Health: 'Warning' });
    expect((await get(stripe))['Status']).toEqual({ State: 'UnavailableOffline', Health: 'Critical' });
    expect((await get(STORAGE))['Status']['HealthRollup']).toBe('Critical');
    // A failed drive takes no new volume.
    expect((await request('POST', VOLUMES, { RAIDType: 'RAID0', Links: { Drives: [drive(1)] } })).status).toBe(400);
    expect((await admin('99/fail')).status).toBe(404);
    expect((await admin('1/explode')).status).toBe(404);

    const cli = runCli([
      'drive',
      'replace',
      '--system',
      's1',
      '--storage',
      'RAID',
      '--drive',
      '1',
      '--serial',
      'NEW-1',
      '--data-dir',
      config.dataDir,
    ]);
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain('DriveReplaced');
    await expect.poll(async () => (await get(`${STORAGE}/Drives/1`))['SerialNumber'], { timeout: 5_000 }).toBe('NEW-1');
    const rebuilding = await get(mirror);
    expect(rebuilding['Operations'][0]).toMatchObject({ Operation: 'Rebuild' });
    await expect
      .poll(async () => (await get(mirror))['Status'], { timeout: 60_000, interval: 200 })
      .toEqual({ State: 'Enabled', Health: 'OK' });
    expect((await get(mirror))['Operations']).toEqual([]);
    expect((await get(stripe))['Status']).toEqual({ State: 'UnavailableOffline', Health: 'Critical' });
    const progress = queryHistory(emulator.store.db, { types: ['VolumeRebuildProgressed'] }).map(
      (e) => (e.data as { percent: number }).percent,
    );
    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(
      queryHistory(emulator.store.db, { types: ['DriveFailed', 'DriveReplaced'] }).map((e) => e.meta.actor),
    ).toEqual(['user:admin', 'cli']);
    expect(
      runCli(['drive', 'fail', '--system', 's1', '--storage', 'RAID', '--drive', '77', '--data-dir', config.dataDir])
        .code,
    ).toBe(1);

    for (const volume of [mirror, stripe]) expect((await request('DELETE', volume)).status).toBe(204);
  });

  it('shows drift on the volume: a backing volume deleted behind its back, and put back', async () => {
    const volume = await createVolume({
      RAIDType: 'RAID1',
      CapacityBytes: 16 * MiB,
      Links: { Drives: [drive(2), drive(3)] },
    });
    const name = backing(volume.split('/').pop()!);
    const pool = await libvirt.poolLookupByName(poolName);
    const capacity = (await libvirt.volumeGetInfo(await libvirt.volumeLookupByName(pool, name))).capacity;
    await libvirt.volumeDelete(await libvirt.volumeLookupByName(pool, name));
    await expect
      .poll(async () => (await get(volume))['Status'], { timeout: 60_000, interval: 200 })
      .toEqual({ State: 'UnavailableOffline', Health: 'Critical' });
    expect(queryHistory(emulator.store.db, { types: ['VolumeBackingLost'] }).at(-1)?.data).toMatchObject({
      reason: `libvirt volume ${name} is gone`,
    });
    await libvirt.volumeCreateXml(pool, volumeXml({ name, capacityBytes: Number(capacity) }));
    await expect
      .poll(async () => (await get(volume))['Status'], { timeout: 60_000, interval: 200 })
      .toEqual({ State: 'Enabled', Health: 'OK' });
    expect((await request('DELETE', volume)).status).toBe(204);
  });

  it('ends a task whose libvirt work fails in Exception, answers the error, and keeps nothing of it', async () => {
    const pool = await libvirt.poolLookupByName(poolName);
    await libvirt.poolDestroy(pool);
    try {
      const response = await request('POST', VOLUMES, {
        RAIDType: 'RAID1',
        CapacityBytes: 16 * MiB,
        Links: { Drives: [drive(4), drive(5)] },
      });
      expect(response.status).toBe(500);
      const error = (await response.json()) as { error: { code: string; message: string } };
      expect(error.error.code).toBe('Base.1.22.InternalError');
      const tasks = await members('/redfish/v1/TaskService/Tasks');
      expect(await get(tasks.at(-1)!)).toMatchObject({ TaskState: 'Exception', TaskStatus: 'Critical' });
      // The space it would have held is free again, and no volume is listed for it.
      expect((await get(`${STORAGE}/Drives/4`))['Links']['Volumes']).toEqual([]);
    } finally {
      await libvirt.poolCreate(pool);
    }
  });

  it('deletes a libvirt volume it made that no Volume owns, and detaches it first; leaves alone one it did not make', async () => {
    const pool = await libvirt.poolLookupByName(poolName);
    // As a create cut short between attaching the disk and recording it would leave it: a volume
    // this store asked for (ids are given out in order) that is no longer one of its Volumes.
    const { state } = loadState(emulator.store, STORAGE, storageDecider);
    const madeHere = Array.from({ length: state.volumesEverRequested }, (_, i) => String(i + 1)).find(
      (id) => !state.volumes[id],
    )!;
    const orphan = await libvirt.volumeCreateXml(pool, volumeXml({ name: backing(madeHere), capacityBytes: MiB }));
    const domain = await libvirt.domainLookupByName(domainName);
    await libvirt.domainAttachDevice(
      domain,
      diskDeviceXml({ sourceFile: await libvirt.volumeGetPath(orphan), targetDev: 'vdz', serial: 'ORPHAN' }),
      DeviceModifyFlag.Config,
    );
    await libvirt.volumeCreateXml(pool, volumeXml({ name: 'someone-elses.qcow2', capacityBytes: MiB }));
    // Named as volumes were before names carried the store, and never asked for here: an older lab's.
    await libvirt.volumeCreateXml(pool, volumeXml({ name: 'rfe-s1-RAID-vol900.qcow2', capacityBytes: MiB }));
    expect((await domainDisks()).map((d) => d.serial)).toEqual(['ORPHAN']);
    await expect
      .poll(poolVolumes, { timeout: 60_000, interval: 200 })
      .toEqual(['rfe-s1-RAID-vol900.qcow2', 'someone-elses.qcow2']);
    expect(await domainDisks()).toEqual([]);
    for (const name of ['someone-elses.qcow2', 'rfe-s1-RAID-vol900.qcow2'])
      await libvirt.volumeDelete(await libvirt.volumeLookupByName(pool, name));
  });
});
