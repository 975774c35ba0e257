import { describe, expect, it } from 'vitest';
import { isProblem } from '../../src/domain/decider.js';
import type { SupportedRaidType } from '../../src/domain/storage/raid/raid-levels.js';
import {
  storageDecider,
  volumeCondition,
  type CreateVolume,
  MAX_VOLUMES_PER_STORAGE,
  type StorageCommand,
  type StorageState,
  type VolumeRecord,
} from '../../src/domain/storage/storage-decider.js';
import {
  driveUri,
  type ApplyTime,
  type DriveSpec,
  type StorageEvent,
  type StorageRegistered,
  type VolumeCreateRequested,
} from '../../src/domain/storage/storage-events.js';
import { expectProblem } from './raid-fixtures.js';
import { given, givenWhen } from '../support/decider-run.js';

const SYSTEM = 'node-1';
const STORAGE = 'RAID.Integrated.1-1';

/** A 1.2 TB 10k SAS HDD as sold: 2,344,225,968 sectors of 512 bytes, not a whole number of 64 KiB strips. */
const HDD_BYTES = 1_200_243_695_616;
/** Its size rounded down to the default 64 KiB strip: what a striped level can use of it. */
const HDD_STRIPED_EXTENT = 1_200_243_671_040;
const STRIP = 64 * 1024;

const bay = (i: number) => `Disk.Bay.${i}`;
const link = (i: number) => driveUri(SYSTEM, STORAGE, bay(i));

function hdd(i: number): DriveSpec {
  return {
    id: bay(i),
    name: `Physical Disk 0:1:${i}`,
    capacityBytes: HDD_BYTES,
    mediaType: 'HDD',
    protocol: 'SAS',
    blockSizeBytes: 512,
    manufacturer: 'SEAGATE',
    model: 'ST1200MM0009',
    serialNumber: `WFK0${i}N7Q`,
    revision: 'CS04',
    rotationSpeedRPM: 10000,
  };
}

/** Bay 8 holds a SATA SSD, unlike the eight SAS HDDs in bays 0 to 7. */
const ssd: DriveSpec = {
  id: bay(8),
  name: 'Solid State Disk 0:1:8',
  capacityBytes: 480_103_981_056,
  mediaType: 'SSD',
  protocol: 'SATA',
  blockSizeBytes: 512,
  manufacturer: 'INTEL',
  model: 'SSDSC2KB480G8R',
  serialNumber: 'PHYF8270013K480BGN',
  revision: 'XCV1DL67',
};

const OFFERED: readonly SupportedRaidType[] = ['RAID0', 'RAID1', 'RAID5', 'RAID6', 'RAID10', 'RAID50', 'RAID60'];

const registration: StorageRegistered['data'] = {
  systemId: SYSTEM,
  storageId: STORAGE,
  name: 'PERC H755 Front',
  controller: {
    model: 'PERC H755 Front',
    manufacturer: 'Dell',
    firmwareVersion: '52.16.1-4405',
    speedGbps: 12,
    supportedRaidTypes: OFFERED,
    protocols: ['SAS', 'SATA'],
  },
  drives: [...[0, 1, 2, 3, 4, 5, 6, 7].map(hdd), ssd],
};
const register: StorageCommand = { type: 'RegisterStorage', ...registration };

interface CreateOptions {
  readonly applyTime?: ApplyTime;
  readonly capacityBytes?: number;
  readonly name?: string;
}

/** POST to Volumes with RAIDType and Links.Drives given as bay numbers. */
function create(taskId: string, raidType: string, bays: readonly number[], options: CreateOptions = {}): CreateVolume {
  return {
    type: 'CreateVolume',
    taskId,
    applyTime: options.applyTime ?? 'Immediate',
    ...(options.name !== undefined && { name: options.name }),
    request: {
      raidType,
      drives: bays.map(link),
      ...(options.capacityBytes !== undefined && { capacityBytes: options.capacityBytes }),
    },
  };
}
const remove = (taskId: string, volumeId: string, applyTime: ApplyTime = 'Immediate'): StorageCommand => ({
  type: 'DeleteVolume',
  taskId,
  volumeId,
  applyTime,
});
const initialize = (taskId: string, volumeId: string, applyTime: ApplyTime = 'Immediate'): StorageCommand => ({
  type: 'InitializeVolume',
  taskId,
  volumeId,
  applyTime,
  initializeType: 'Fast',
});
const done = (taskId: string): StorageCommand => ({ type: 'RecordOperationOutcome', taskId });
const failed = (taskId: string, message: string): StorageCommand => ({
  type: 'RecordOperationOutcome',
  taskId,
  message,
});
const failDrive = (i: number): StorageCommand => ({ type: 'FailDrive', driveId: bay(i) });
const replaceDrive = (i: number, serialNumber = `ZAD${i}REPL`): StorageCommand => ({
  type: 'ReplaceDrive',
  driveId: bay(i),
  serialNumber,
});
const progress = (volumeId: string, percent: number): StorageCommand => ({
  type: 'RecordRebuildProgress',
  volumeId,
  percent,
});

const run = (commands: readonly StorageCommand[]) => given(storageDecider, commands);
/** What the last command decides after the others have been run: events or a refusal. */
const decideAfter = (commands: readonly StorageCommand[], last: StorageCommand) =>
  givenWhen(storageDecider, commands, last);

/** The events the last command causes after the others have been run (fails the test on a refusal). */
function eventsOf(commands: readonly StorageCommand[], last: StorageCommand): readonly StorageEvent[] {
  const decided = decideAfter(commands, last);
  expect(isProblem(decided), JSON.stringify(decided)).toBe(false);
  return decided as readonly StorageEvent[];
}

const types = (events: readonly StorageEvent[]) => events.map((event) => event.type);

function volume(state: StorageState, volumeId: string): VolumeRecord {
  const found = state.volumes[volumeId];
  expect(found, `volume ${volumeId}`).toBeDefined();
  return found!;
}
const conditionOf = (state: StorageState, volumeId: string) =>
  volumeCondition(volume(state, volumeId), state.failedDrives);

/** A created volume 1 of the given level on the given bays, its create task completed. */
function withVolume(raidType: string, bays: readonly number[], options: CreateOptions = {}): StorageCommand[] {
  return [register, create('t-create', raidType, bays, options), done('t-create')];
}

describe('the storage decider', () => {
  describe('registration', () => {
    it('records the lab config once, and again only when it changes', () => {
      const changed = { ...registration, controller: { ...registration.controller, firmwareVersion: '52.26.0-5179' } };
      const { events, state } = run([
        register,
        register,
        { type: 'RegisterStorage', ...changed },
        { type: 'RegisterStorage', ...changed },
      ]);
      expect(types(events)).toEqual(['StorageRegistered', 'StorageRegistered']);
      expect(events[0]).toEqual({ type: 'StorageRegistered', data: registration });
      expect(state.registration?.controller.firmwareVersion).toBe('52.26.0-5179');
    });

    it('records a drive added to the config as a change', () => {
      const { events } = run([
        register,
        { type: 'RegisterStorage', ...registration, drives: [...registration.drives, { ...hdd(9) }] },
      ]);
      expect(types(events)).toEqual(['StorageRegistered', 'StorageRegistered']);
    });

    it('refuses a volume on a storage that was never registered', () => {
      expect(isProblem(storageDecider.decide(create('t1', 'RAID1', [0, 1]), storageDecider.initialState))).toBe(true);
    });
  });

  describe('creating a volume', () => {
    const CASES: readonly [
      SupportedRaidType,
      readonly number[],
      { setSize: number; extentBytes: number; capacityBytes: number; volumeType: string; stripSizeBytes?: number },
    ][] = [
      [
        'RAID0',
        [0, 1],
        {
          setSize: 2,
          extentBytes: HDD_STRIPED_EXTENT,
          capacityBytes: 2 * HDD_STRIPED_EXTENT,
          volumeType: 'NonRedundant',
          stripSizeBytes: STRIP,
        },
      ],
      ['RAID1', [0, 1], { setSize: 2, extentBytes: HDD_BYTES, capacityBytes: HDD_BYTES, volumeType: 'Mirrored' }],
      [
        'RAID5',
        [0, 1, 2],
        {
          setSize: 3,
          extentBytes: HDD_STRIPED_EXTENT,
          capacityBytes: 2 * HDD_STRIPED_EXTENT,
          volumeType: 'StripedWithParity',
          stripSizeBytes: STRIP,
        },
      ],
      [
        'RAID6',
        [0, 1, 2, 3],
        {
          setSize: 4,
          extentBytes: HDD_STRIPED_EXTENT,
          capacityBytes: 2 * HDD_STRIPED_EXTENT,
          volumeType: 'StripedWithParity',
          stripSizeBytes: STRIP,
        },
      ],
      [
        'RAID10',
        [0, 1, 2, 3],
        {
          setSize: 2,
          extentBytes: HDD_STRIPED_EXTENT,
          capacityBytes: 2 * HDD_STRIPED_EXTENT,
          volumeType: 'SpannedMirrors',
          stripSizeBytes: STRIP,
        },
      ],
      [
        'RAID50',
        [0, 1, 2, 3, 4, 5],
        {
          setSize: 3,
          extentBytes: HDD_STRIPED_EXTENT,
          capacityBytes: 4 * HDD_STRIPED_EXTENT,
          volumeType: 'SpannedStripesWithParity',
          stripSizeBytes: STRIP,
        },
      ],
      [
        'RAID60',
        [0, 1, 2, 3, 4, 5, 6, 7],
        {
          setSize: 4,
          extentBytes: HDD_STRIPED_EXTENT,
          capacityBytes: 4 * HDD_STRIPED_EXTENT,
          volumeType: 'SpannedStripesWithParity',
          stripSizeBytes: STRIP,
        },
      ],
    ];

    it('covers every level the controller offers', () => {
      expect(CASES.map(([level]) => level)).toEqual(OFFERED);
    });

    it.each(CASES)('%s over bays %j: the largest volume the members allow, as requested', (raidType, bays, shape) => {
      const events = eventsOf([register], create('t-1', raidType, bays));
      expect(events).toHaveLength(1);
      const event = events[0] as VolumeCreateRequested;
      expect(event.type).toBe('VolumeCreateRequested');
      expect(event.data).toEqual({
        taskId: 't-1',
        applyTime: 'Immediate',
        volumeId: '1',
        name: 'Volume 1',
        raidType,
        volumeType: shape.volumeType,
        members: bays.map(link),
        setSize: shape.setSize,
        capacityBytes: shape.capacityBytes,
        extentBytes: shape.extentBytes,
        blockSizeBytes: 512,
        ...(shape.stripSizeBytes !== undefined && { stripSizeBytes: shape.stripSizeBytes }),
        durableName: event.data.durableName,
        backingVolume: 'rfe-node-1-RAID.Integrated.1-1-vol1.qcow2',
      });
      expect(event.data.durableName).toMatch(/^5[0-9A-F]{15}$/);
    });

    it('keeps the members in the order the client listed them, and the name it gave', () => {
      const event = eventsOf(
        [register],
        create('t-1', 'RAID10', [3, 1, 0, 2], { name: 'os-mirror' }),
      )[0] as VolumeCreateRequested;
      expect(event.data.members).toEqual([link(3), link(1), link(0), link(2)]);
      expect(event.data.name).toBe('os-mirror');
    });

    it('rounds a requested size up to whole blocks and each extent up to whole strips', () => {
      const event = eventsOf(
        [register],
        create('t-1', 'RAID5', [0, 1, 2], { capacityBytes: 100_000_000_001 }),
      )[0] as VolumeCreateRequested;
      expect(event.data.capacityBytes).toBe(100_000_000_512);
      // 100,000,000,512 over two data members is 50,000,000,256 each, rounded up to 64 KiB strips.
      expect(event.data.extentBytes).toBe(50_000_035_840);
    });

    it('records the volume as not yet created, with its task Running (Immediate) or Pending (OnReset)', () => {
      const { state } = run([
        register,
        create('t-now', 'RAID1', [0, 1], { capacityBytes: 10 ** 11 }),
        create('t-later', 'RAID1', [0, 1], { applyTime: 'OnReset', capacityBytes: 10 ** 11 }),
      ]);
      expect(volume(state, '1')).toMatchObject({ created: false, lost: false, rebuilding: [], rebuildPercent: 0 });
      expect(state.operations).toEqual([
        { taskId: 't-now', kind: 'create', volumeId: '1', applyTime: 'Immediate', state: 'Running' },
        { taskId: 't-later', kind: 'create', volumeId: '2', applyTime: 'OnReset', state: 'Pending' },
      ]);
    });

    it('gives a durable name that is the same for the same request and differs between volumes', () => {
      const commands = [
        register,
        create('t-1', 'RAID1', [0, 1], { capacityBytes: 10 ** 11 }),
        create('t-2', 'RAID1', [0, 1], { capacityBytes: 10 ** 11 }),
      ];
      const first = run(commands).events.slice(1) as VolumeCreateRequested[];
      const again = run(commands).events.slice(1) as VolumeCreateRequested[];
      expect(again.map((e) => e.data.durableName)).toEqual(first.map((e) => e.data.durableName));
      expect(first[0]!.data.durableName).not.toBe(first[1]!.data.durableName);
      for (const event of first) expect(event.data.durableName).toMatch(/^5[0-9A-F]{15}$/);

      const elsewhere = run([
        { type: 'RegisterStorage', ...registration, storageId: 'RAID.Slot.3-1' },
        {
          ...create('t-1', 'RAID1', [], { capacityBytes: 10 ** 11 }),
          request: {
            raidType: 'RAID1',
            drives: [0, 1].map((i) => driveUri(SYSTEM, 'RAID.Slot.3-1', bay(i))),
            capacityBytes: 10 ** 11,
          },
        },
      ]);
      expect((elsewhere.events[1] as VolumeCreateRequested).data.durableName).not.toBe(first[0]!.data.durableName);
    });

    it('numbers volumes upwards and never reuses the id of a deleted or failed volume', () => {
      const { events, state } = run([
        register,
        create('t-1', 'RAID1', [0, 1], { capacityBytes: 10 ** 11 }),
        done('t-1'),
        create('t-2', 'RAID1', [2, 3], { capacityBytes: 10 ** 11 }),
        done('t-2'),
        remove('t-3', '2'),
        done('t-3'),
        create('t-4', 'RAID1', [2, 3], { capacityBytes: 10 ** 11 }),
        failed('t-4', 'pool full'),
        create('t-5', 'RAID1', [2, 3], { capacityBytes: 10 ** 11 }),
      ]);
      const ids = events
        .filter((e): e is VolumeCreateRequested => e.type === 'VolumeCreateRequested')
        .map((e) => e.data.volumeId);
      expect(ids).toEqual(['1', '2', '3', '4']);
      expect(Object.keys(state.volumes).sort()).toEqual(['1', '4']);
      expect(state.volumesEverRequested).toBe(4);
    });

    it('refuses a level the controller is not configured for, though the emulator knows it', () => {
      expectProblem(decideAfter([register], create('t-1', 'RAID1Triple', [0, 1, 2])), {
        messageId: 'PropertyValueNotInList',
        args: ['RAID1Triple', 'RAIDType'],
      });
      expectProblem(decideAfter([register], create('t-1', 'None', [0])), {
        messageId: 'PropertyValueNotInList',
        args: ['None', 'RAIDType'],
      });
    });

    it('refuses too few drives for the level', () => {
      expectProblem(decideAfter([register], create('t-1', 'RAID6', [0, 1, 2])), {
        messageId: 'ArraySizeTooShort',
        args: ['Links/Drives', '4'],
      });
    });

    it('refuses a drive link that names no drive of this storage, as a 400', () => {
      const result = decideAfter([register], {
        ...create('t-1', 'RAID1', []),
        request: { raidType: 'RAID1', drives: [link(0), link(42)] },
      });
      expectProblem(result, {
        messageId: 'ResourceNotFound',
        args: ['Drive', link(42)],
        related: ['#/Links/Drives/1'],
      });
      const otherController = driveUri(SYSTEM, 'RAID.Slot.3-1', bay(1));
      expectProblem(
        decideAfter([register], {
          ...create('t-1', 'RAID1', []),
          request: { raidType: 'RAID1', drives: [link(0), otherController] },
        }),
        {
          messageId: 'ResourceNotFound',
          args: ['Drive', otherController],
        },
      );
    });

    it('refuses a failed drive', () => {
      expectProblem(decideAfter([register, failDrive(1)], create('t-1', 'RAID1', [0, 1])), {
        messageId: 'PropertyValueResourceConflict',
        args: ['Links/Drives', link(1), link(1)],
        related: ['#/Links/Drives/1'],
      });
    });

    it('refuses mixing the SATA SSD with SAS HDDs', () => {
      expectProblem(decideAfter([register], create('t-1', 'RAID1', [0, 8])), {
        messageId: 'PropertyValueResourceConflict',
        args: ['Links/Drives', link(8), link(0)],
      });
    });

    it('refuses a CapacityBytes larger than the members hold', () => {
      expectProblem(decideAfter([register], create('t-1', 'RAID1', [0, 1], { capacityBytes: HDD_BYTES + 512 })), {
        messageId: 'PropertyValueOutOfRange',
        args: [String(HDD_BYTES + 512), 'CapacityBytes'],
        related: ['#/CapacityBytes'],
      });
    });

    it('records nothing when it refuses: the next volume still gets id 1', () => {
      const refused = decideAfter([register], create('t-1', 'RAID6', [0, 1]));
      expect(Array.isArray(refused)).toBe(false);
      expect(refused).toMatchObject({ kind: 'problem', status: 400 });
      const { state } = run([register]);
      expect(state.volumes).toEqual({});
      expect(state.operations).toEqual([]);
      expect((eventsOf([register], create('t-2', 'RAID1', [0, 1]))[0] as VolumeCreateRequested).data.volumeId).toBe(
        '1',
      );
    });
  });

  describe('space on the drives', () => {
    const big = 800_000_000_000; // fits on a 1.2 TB mirror once, not twice

    it('refuses a second volume that fits alone but not beside the first', () => {
      const first = [register, create('t-1', 'RAID1', [0, 1], { capacityBytes: big })];
      expectProblem(decideAfter(first, create('t-2', 'RAID1', [0, 1], { capacityBytes: big })), {
        messageId: 'PropertyValueOutOfRange',
        args: [String(big), 'CapacityBytes'],
      });
      // Sharing only one drive is enough to run out.
      expectProblem(decideAfter(first, create('t-2', 'RAID1', [1, 2], { capacityBytes: big })), {
        messageId: 'PropertyValueOutOfRange',
        args: [String(big), 'CapacityBytes'],
      });
      // What is left still fits.
      const rest = (eventsOf(first, create('t-2', 'RAID1', [0, 1]))[0] as VolumeCreateRequested).data;
      expect(rest.capacityBytes).toBe(HDD_BYTES - big);
    });

    it('refuses a largest-possible volume once a member is full, naming that member', () => {
      const mirror = [register, create('t-1', 'RAID1', [0, 1])];
      expectProblem(decideAfter(mirror, create('t-2', 'RAID1', [2, 1])), {
        messageId: 'ResourceExhaustion',
        args: [link(1)],
        related: ['#/Links/Drives/1'],
      });
      // A RAID5 leaves 24 KiB on each member (less than a strip): a stripe finds no room, a mirror, counted in blocks, does.
      const parity = [register, create('t-1', 'RAID5', [0, 1, 2])];
      expectProblem(decideAfter(parity, create('t-2', 'RAID0', [3, 2])), {
        messageId: 'ResourceExhaustion',
        args: [link(2)],
        related: ['#/Links/Drives/1'],
      });
      const slack = (eventsOf(parity, create('t-2', 'RAID1', [3, 2]))[0] as VolumeCreateRequested).data;
      expect(slack.capacityBytes).toBe(HDD_BYTES - HDD_STRIPED_EXTENT);
    });

    it('counts the space of a create still waiting for the next reset', () => {
      const pending = [register, create('t-1', 'RAID1', [0, 1], { capacityBytes: big, applyTime: 'OnReset' })];
      expectProblem(decideAfter(pending, create('t-2', 'RAID1', [0, 1], { capacityBytes: big })), {
        messageId: 'PropertyValueOutOfRange',
        args: [String(big), 'CapacityBytes'],
      });
    });

    it('counts the space of a volume being deleted until its delete completes', () => {
      const deleting = [...withVolume('RAID1', [0, 1], { capacityBytes: big }), remove('t-del', '1')];
      expectProblem(decideAfter(deleting, create('t-2', 'RAID1', [0, 1], { capacityBytes: big })), {
        messageId: 'PropertyValueOutOfRange',
        args: [String(big), 'CapacityBytes'],
      });
      const pendingDelete = [
        ...withVolume('RAID1', [0, 1], { capacityBytes: big }),
        remove('t-del', '1', 'OnReset'),
        { type: 'StartPendingOperations' } as StorageCommand,
      ];
      expectProblem(decideAfter(pendingDelete, create('t-2', 'RAID1', [0, 1], { capacityBytes: big })), {
        messageId: 'PropertyValueOutOfRange',
        args: [String(big), 'CapacityBytes'],
      });
      expect(
        types(eventsOf([...deleting, done('t-del')], create('t-2', 'RAID1', [0, 1], { capacityBytes: big }))),
      ).toEqual(['VolumeCreateRequested']);
    });

    it('keeps the space of a volume whose delete failed', () => {
      const kept = [
        ...withVolume('RAID1', [0, 1], { capacityBytes: big }),
        remove('t-del', '1'),
        failed('t-del', 'volume busy'),
      ];
      expect(volume(run(kept).state, '1').created).toBe(true);
      expectProblem(decideAfter(kept, create('t-2', 'RAID1', [0, 1], { capacityBytes: big })), {
        messageId: 'PropertyValueOutOfRange',
        args: [String(big), 'CapacityBytes'],
      });
    });

    it('frees the space of a create that failed', () => {
      const failedCreate = [
        register,
        create('t-1', 'RAID1', [0, 1], { capacityBytes: big }),
        failed('t-1', 'qcow2 create failed: no space left on pool'),
      ];
      expect(run(failedCreate).state.volumes).toEqual({});
      expect(types(eventsOf(failedCreate, create('t-2', 'RAID1', [0, 1], { capacityBytes: big })))).toEqual([
        'VolumeCreateRequested',
      ]);
    });
  });

  describe('apply times', () => {
    it('starts OnReset operations at the next boot, in the order they were asked for', () => {
      const { events, state } = run([
        ...withVolume('RAID1', [0, 1], { capacityBytes: 10 ** 11 }),
        create('t-a', 'RAID5', [2, 3, 4], { capacityBytes: 10 ** 11, applyTime: 'OnReset' }),
        initialize('t-b', '1', 'OnReset'),
        create('t-c', 'RAID1', [5, 6], { capacityBytes: 10 ** 11 }),
        remove('t-d', '2', 'OnReset'),
        { type: 'StartPendingOperations' },
      ]);
      expect(events.at(-1)).toEqual({ type: 'PendingOperationsStarted', data: { taskIds: ['t-a', 't-b', 't-d'] } });
      expect(state.operations.map((op) => [op.taskId, op.kind, op.state])).toEqual([
        ['t-a', 'create', 'Running'],
        ['t-b', 'initialize', 'Running'],
        ['t-c', 'create', 'Running'],
        ['t-d', 'delete', 'Running'],
      ]);
      expect(state.operations.find((op) => op.taskId === 't-b')?.initializeType).toBe('Fast');
    });

    it('records nothing at a boot when nothing waits for one', () => {
      expect(eventsOf([register], { type: 'StartPendingOperations' })).toEqual([]);
      expect(
        eventsOf([...withVolume('RAID1', [0, 1]), remove('t-del', '1')], { type: 'StartPendingOperations' }),
      ).toEqual([]);
      const once = [
        register,
        create('t-1', 'RAID1', [0, 1], { applyTime: 'OnReset' }),
        { type: 'StartPendingOperations' } as StorageCommand,
      ];
      expect(eventsOf(once, { type: 'StartPendingOperations' })).toEqual([]);
    });

    it('refuses an Immediate initialize of a volume whose create has not run yet, and cancels that create on an Immediate delete', () => {
      const pending = [
        register,
        create('t-1', 'RAID1', [0, 1], { applyTime: 'OnReset' }),
        initialize('t-2', '1', 'OnReset'),
      ];
      expectProblem(decideAfter(pending, initialize('t-3', '1')), {
        status: 409,
        messageId: 'ResourceInUse',
        args: [],
      });
      const { events, state } = run([...pending, remove('t-3', '1')]);
      // The create and the work queued on its volume are cancelled; no delete task is made.
      expect(events.slice(-2)).toEqual([
        { type: 'VolumeOperationCancelled', data: { taskId: 't-1', volumeId: '1' } },
        { type: 'VolumeOperationCancelled', data: { taskId: 't-2', volumeId: '1' } },
      ]);
      expect(state.volumes).toEqual({});
      expect(state.operations).toEqual([]);
    });

    it('cancels only work that waits for a reset', () => {
      const pending = [register, create('t-1', 'RAID1', [0, 1], { applyTime: 'OnReset' })];
      expect(eventsOf(pending, { type: 'CancelOperation', taskId: 't-1' })).toEqual([
        { type: 'VolumeOperationCancelled', data: { taskId: 't-1', volumeId: '1' } },
      ]);
      expectProblem(
        decideAfter([...pending, { type: 'StartPendingOperations' }], { type: 'CancelOperation', taskId: 't-1' }),
        { status: 409, messageId: 'ResourceInUse', args: [] },
      );
      expectProblem(decideAfter(pending, { type: 'CancelOperation', taskId: 'nope' }), {
        status: 404,
        messageId: 'ResourceNotFound',
        args: ['Task', 'nope'],
      });
    });

    it('queues an OnReset delete or initialize behind a pending create', () => {
      const pending = [register, create('t-1', 'RAID1', [0, 1], { applyTime: 'OnReset' })];
      expect(eventsOf(pending, remove('t-2', '1', 'OnReset'))).toEqual([
        { type: 'VolumeDeleteRequested', data: { taskId: 't-2', applyTime: 'OnReset', volumeId: '1' } },
      ]);
      expect(eventsOf(pending, initialize('t-2', '1', 'OnReset'))).toEqual([
        {
          type: 'VolumeInitializeRequested',
          data: { taskId: 't-2', applyTime: 'OnReset', volumeId: '1', initializeType: 'Fast' },
        },
      ]);
      const { events } = run([...pending, remove('t-2', '1', 'OnReset'), { type: 'StartPendingOperations' }]);
      expect(events.at(-1)).toEqual({ type: 'PendingOperationsStarted', data: { taskIds: ['t-1', 't-2'] } });
    });

    it('accepts an Immediate delete once the create has completed', () => {
      expect(types(eventsOf(withVolume('RAID1', [0, 1]), remove('t-2', '1')))).toEqual(['VolumeDeleteRequested']);
    });

    it('refuses a second delete of the same volume, whatever its apply time', () => {
      const deleting = [...withVolume('RAID1', [0, 1]), remove('t-2', '1', 'OnReset')];
      expectProblem(decideAfter(deleting, remove('t-3', '1')), { status: 409, messageId: 'ResourceInUse', args: [] });
      expectProblem(decideAfter(deleting, remove('t-3', '1', 'OnReset')), {
        status: 409,
        messageId: 'ResourceInUse',
        args: [],
      });
    });

    it('refuses a delete or initialize of a volume that does not exist, or no longer does', () => {
      expectProblem(decideAfter([register], remove('t-1', '7')), {
        status: 404,
        messageId: 'ResourceNotFound',
        args: ['Volume', '7'],
      });
      const gone = [...withVolume('RAID1', [0, 1]), remove('t-2', '1'), done('t-2')];
      expectProblem(decideAfter(gone, remove('t-3', '1')), {
        status: 404,
        messageId: 'ResourceNotFound',
        args: ['Volume', '1'],
      });
      expectProblem(decideAfter(gone, initialize('t-3', '1')), {
        status: 404,
        messageId: 'ResourceNotFound',
        args: ['Volume', '1'],
      });
    });

    it('refuses to initialize a volume being deleted or already being initialized', () => {
      const volume1 = withVolume('RAID1', [0, 1]);
      expectProblem(decideAfter([...volume1, remove('t-2', '1', 'OnReset')], initialize('t-3', '1')), {
        status: 409,
        messageId: 'ResourceInUse',
        args: [],
      });
      expectProblem(decideAfter([...volume1, initialize('t-2', '1')], initialize('t-3', '1', 'OnReset')), {
        status: 409,
        messageId: 'ResourceInUse',
        args: [],
      });
      expect(types(eventsOf([...volume1, initialize('t-2', '1'), done('t-2')], initialize('t-3', '1')))).toEqual([
        'VolumeInitializeRequested',
      ]);
    });

    it('initializes a Degraded volume but refuses one whose data is lost (409)', () => {
      expect(types(eventsOf([...withVolume('RAID1', [0, 1]), failDrive(0)], initialize('t-2', '1')))).toEqual([
        'VolumeInitializeRequested',
      ]);
      const lost = [...withVolume('RAID0', [0, 1]), failDrive(1)];
      expect(conditionOf(run(lost).state, '1')).toBe('Failed');
      expectProblem(decideAfter(lost, initialize('t-2', '1')), { status: 409, messageId: 'ResourceInUse', args: [] });
      expectProblem(decideAfter([...lost, replaceDrive(1)], initialize('t-2', '1', 'OnReset')), {
        status: 409,
        messageId: 'ResourceInUse',
        args: [],
      });
      // Deleting it is how the space comes back.
      expect(types(eventsOf(lost, remove('t-2', '1')))).toEqual(['VolumeDeleteRequested']);
    });
  });

  describe('operation outcomes', () => {
    it('completes a create: the volume exists and its task is closed', () => {
      const { events, state } = run([register, create('t-1', 'RAID1', [0, 1]), done('t-1')]);
      expect(events.at(-1)).toEqual({ type: 'VolumeOperationCompleted', data: { taskId: 't-1', volumeId: '1' } });
      expect(volume(state, '1').created).toBe(true);
      expect(state.operations).toEqual([]);
    });

    it('fails a task with the reconciler message', () => {
      const { events, state } = run([
        ...withVolume('RAID1', [0, 1]),
        initialize('t-2', '1'),
        failed('t-2', 'qemu-img: Could not open'),
      ]);
      expect(events.at(-1)).toEqual({
        type: 'VolumeOperationFailed',
        data: { taskId: 't-2', volumeId: '1', message: 'qemu-img: Could not open' },
      });
      expect(volume(state, '1').created).toBe(true);
      expect(state.operations).toEqual([]);
    });

    it('completes a delete: the volume is gone', () => {
      const { events, state } = run([...withVolume('RAID1', [0, 1]), remove('t-2', '1'), done('t-2')]);
      expect(events.at(-1)).toEqual({ type: 'VolumeOperationCompleted', data: { taskId: 't-2', volumeId: '1' } });
      expect(state.volumes).toEqual({});
      expect(state.operations).toEqual([]);
    });

    it('records nothing for a task already recorded (a retry after a crash) or never opened', () => {
      expect(eventsOf(withVolume('RAID1', [0, 1]), done('t-create'))).toEqual([]);
      expect(eventsOf(withVolume('RAID1', [0, 1]), failed('t-create', 'late'))).toEqual([]);
      const failedOnce = [register, create('t-1', 'RAID1', [0, 1]), failed('t-1', 'no pool')];
      expect(eventsOf(failedOnce, failed('t-1', 'no pool'))).toEqual([]);
      expect(eventsOf(failedOnce, done('t-1'))).toEqual([]);
      expect(eventsOf([register], done('t-unknown'))).toEqual([]);
    });
  });

  describe('renaming', () => {
    it('records a new name, and nothing when the name is the same', () => {
      const { events, state } = run([
        ...withVolume('RAID1', [0, 1], { name: 'boot' }),
        { type: 'RenameVolume', volumeId: '1', name: 'boot' },
        { type: 'RenameVolume', volumeId: '1', name: 'os' },
        { type: 'RenameVolume', volumeId: '1', name: 'os' },
      ]);
      expect(events.filter((e) => e.type === 'VolumeRenamed')).toEqual([
        { type: 'VolumeRenamed', data: { volumeId: '1', name: 'os' } },
      ]);
      expect(volume(state, '1').name).toBe('os');
    });

    it('refuses to rename a volume that does not exist (404)', () => {
      expectProblem(decideAfter(withVolume('RAID1', [0, 1]), { type: 'RenameVolume', volumeId: '9', name: 'x' }), {
        status: 404,
        messageId: 'ResourceNotFound',
        args: ['Volume', '9'],
      });
    });
  });

  describe('drive faults', () => {
    it('degrades a RAID1 when one member fails, and loses it when the other does too, for good', () => {
      const degraded = run([...withVolume('RAID1', [0, 1]), failDrive(0)]);
      expect(degraded.events.at(-1)).toEqual({ type: 'DriveFailed', data: { driveId: link(0) } });
      expect(degraded.state.failedDrives).toEqual([link(0)]);
      expect(conditionOf(degraded.state, '1')).toBe('Degraded');
      expect(volume(degraded.state, '1').lost).toBe(false);

      const lost = run([...withVolume('RAID1', [0, 1]), failDrive(0), failDrive(1)]);
      expect(conditionOf(lost.state, '1')).toBe('Failed');
      expect(volume(lost.state, '1').lost).toBe(true);

      const replaced = run([
        ...withVolume('RAID1', [0, 1]),
        failDrive(0),
        failDrive(1),
        replaceDrive(0),
        replaceDrive(1),
      ]);
      expect(replaced.state.failedDrives).toEqual([]);
      expect(volume(replaced.state, '1')).toMatchObject({ lost: true, rebuilding: [] });
      expect(conditionOf(replaced.state, '1')).toBe('Failed');
      expect(
        eventsOf([...withVolume('RAID1', [0, 1]), failDrive(0), failDrive(1), replaceDrive(0)], progress('1', 50)),
      ).toEqual([]);
    });

    it('keeps a RAID6 going through two failures, not three', () => {
      const volume1 = withVolume('RAID6', [0, 1, 2, 3]);
      expect(conditionOf(run([...volume1, failDrive(0), failDrive(3)]).state, '1')).toBe('Degraded');
      expect(conditionOf(run([...volume1, failDrive(0), failDrive(3), failDrive(2)]).state, '1')).toBe('Failed');
    });

    it('loses a RAID0 to a single failure', () => {
      const { state } = run([...withVolume('RAID0', [0, 1]), failDrive(1)]);
      expect(conditionOf(state, '1')).toBe('Failed');
      expect(volume(state, '1').lost).toBe(true);
    });

    it('leaves volumes on other drives alone', () => {
      const { state } = run([
        ...withVolume('RAID1', [0, 1], { capacityBytes: 10 ** 11 }),
        create('t-2', 'RAID0', [2, 3]),
        done('t-2'),
        failDrive(0),
      ]);
      expect(conditionOf(state, '2')).toBe('OK');
      expect(volume(state, '2').lost).toBe(false);
    });

    it('records a failure once', () => {
      expect(eventsOf([...withVolume('RAID1', [0, 1]), failDrive(0)], failDrive(0))).toEqual([]);
    });

    it('refuses a fault on a drive the storage does not have (404)', () => {
      expectProblem(decideAfter([register], { type: 'FailDrive', driveId: 'Disk.Bay.42' }), {
        status: 404,
        messageId: 'ResourceNotFound',
        args: ['Drive', 'Disk.Bay.42'],
      });
      expectProblem(decideAfter([register], { type: 'ReplaceDrive', driveId: 'Disk.Bay.42', serialNumber: 'X' }), {
        status: 404,
        messageId: 'ResourceNotFound',
        args: ['Drive', 'Disk.Bay.42'],
      });
      expectProblem(storageDecider.decide(failDrive(0), storageDecider.initialState), {
        status: 404,
        messageId: 'ResourceNotFound',
        args: ['Drive', bay(0)],
      });
    });

    it('rebuilds onto a replacement for a failed drive: Degraded until the rebuild reaches 100', () => {
      const replaced = run([...withVolume('RAID1', [0, 1]), failDrive(0), replaceDrive(0, 'WFK0REPL')]);
      expect(replaced.events.at(-1)).toEqual({
        type: 'DriveReplaced',
        data: { driveId: link(0), serialNumber: 'WFK0REPL' },
      });
      expect(replaced.state.failedDrives).toEqual([]);
      expect(replaced.state.replacedSerials).toEqual({ [link(0)]: 'WFK0REPL' });
      expect(volume(replaced.state, '1')).toMatchObject({ rebuilding: [link(0)], rebuildPercent: 0 });
      expect(conditionOf(replaced.state, '1')).toBe('Degraded');

      const rebuilding = [...withVolume('RAID1', [0, 1]), failDrive(0), replaceDrive(0)];
      const halfway = run([...rebuilding, progress('1', 40.7)]);
      expect(halfway.events.at(-1)).toEqual({ type: 'VolumeRebuildProgressed', data: { volumeId: '1', percent: 40 } });
      expect(volume(halfway.state, '1').rebuildPercent).toBe(40);
      expect(conditionOf(halfway.state, '1')).toBe('Degraded');
      expect(eventsOf([...rebuilding, progress('1', 40)], progress('1', 30))).toEqual([]);
      expect(eventsOf([...rebuilding, progress('1', 40)], progress('1', 40))).toEqual([]);

      const finished = run([...rebuilding, progress('1', 40), progress('1', 100)]);
      expect(volume(finished.state, '1')).toMatchObject({ rebuilding: [], rebuildPercent: 0 });
      expect(conditionOf(finished.state, '1')).toBe('OK');
      expect(eventsOf([...rebuilding, progress('1', 40), progress('1', 100)], progress('1', 100))).toEqual([]);
    });

    it('caps reported progress at 100 and records nothing for a volume not rebuilding', () => {
      const rebuilding = [...withVolume('RAID1', [0, 1]), failDrive(0), replaceDrive(0)];
      expect(eventsOf(rebuilding, progress('1', 250))).toEqual([
        { type: 'VolumeRebuildProgressed', data: { volumeId: '1', percent: 100 } },
      ]);
      expect(eventsOf(withVolume('RAID1', [0, 1]), progress('1', 50))).toEqual([]);
      expect(eventsOf(rebuilding, progress('9', 50))).toEqual([]);
    });

    it('rebuilds a RAID6 after both failed members are replaced', () => {
      const { state } = run([
        ...withVolume('RAID6', [0, 1, 2, 3]),
        failDrive(1),
        failDrive(2),
        replaceDrive(1),
        replaceDrive(2),
      ]);
      expect(volume(state, '1').rebuilding).toEqual([link(1), link(2)]);
      expect(conditionOf(state, '1')).toBe('Degraded');
      expect(
        conditionOf(
          run([
            ...withVolume('RAID6', [0, 1, 2, 3]),
            failDrive(1),
            failDrive(2),
            replaceDrive(1),
            replaceDrive(2),
            progress('1', 100),
          ]).state,
          '1',
        ),
      ).toBe('OK');
    });

    it('loses a mirror whose only source fails while it is being rebuilt', () => {
      const { state } = run([
        ...withVolume('RAID1', [0, 1]),
        failDrive(0),
        replaceDrive(0),
        progress('1', 60),
        failDrive(1),
      ]);
      expect(conditionOf(state, '1')).toBe('Failed');
      expect(volume(state, '1')).toMatchObject({ lost: true, rebuilding: [], rebuildPercent: 0 });
    });

    it('ends a rebuild when the replacement itself fails', () => {
      const { state } = run([
        ...withVolume('RAID1', [0, 1]),
        failDrive(0),
        replaceDrive(0),
        progress('1', 60),
        failDrive(0),
      ]);
      expect(volume(state, '1')).toMatchObject({ lost: false, rebuilding: [], rebuildPercent: 0 });
      expect(conditionOf(state, '1')).toBe('Degraded');
    });

    it('pulls a working drive before putting a new one in its bay', () => {
      const events = eventsOf(withVolume('RAID1', [0, 1]), replaceDrive(1, 'NEW1'));
      expect(events).toEqual([
        { type: 'DriveFailed', data: { driveId: link(1) } },
        { type: 'DriveReplaced', data: { driveId: link(1), serialNumber: 'NEW1' } },
      ]);
      const { state } = run([...withVolume('RAID1', [0, 1]), replaceDrive(1, 'NEW1')]);
      expect(volume(state, '1').rebuilding).toEqual([link(1)]);
      expect(conditionOf(state, '1')).toBe('Degraded');
      const striped = run([...withVolume('RAID0', [0, 1]), replaceDrive(1)]);
      expect(conditionOf(striped.state, '1')).toBe('Failed');
    });

    it('refuses new volumes on a failed drive, and takes them again on its replacement', () => {
      const failedDrive = [...withVolume('RAID1', [0, 1], { capacityBytes: 10 ** 11 }), failDrive(1)];
      expectProblem(decideAfter(failedDrive, create('t-2', 'RAID0', [2, 1])), {
        messageId: 'PropertyValueResourceConflict',
        args: ['Links/Drives', link(1), link(1)],
      });
      expect(types(eventsOf(failedDrive, create('t-2', 'RAID0', [2, 3])))).toEqual(['VolumeCreateRequested']);
      expect(
        types(eventsOf([...failedDrive, replaceDrive(1)], create('t-2', 'RAID0', [2, 1], { capacityBytes: 10 ** 11 }))),
      ).toEqual(['VolumeCreateRequested']);
    });
  });

  describe('backing drift', () => {
    it('records a lost backing once while it stays missing, and its return', () => {
      const { events, state } = run([
        ...withVolume('RAID1', [0, 1]),
        { type: 'ObserveBacking', volumeId: '1' },
        { type: 'ObserveBacking', volumeId: '1', missing: 'storage volume vol-1.qcow2 not in pool' },
        { type: 'ObserveBacking', volumeId: '1', missing: 'storage volume vol-1.qcow2 not in pool' },
        { type: 'ObserveBacking', volumeId: '1', missing: 'another reason' },
      ]);
      expect(events.slice(3)).toEqual([
        { type: 'VolumeBackingLost', data: { volumeId: '1', reason: 'storage volume vol-1.qcow2 not in pool' } },
      ]);
      expect(volume(state, '1').backingMissing).toBe('storage volume vol-1.qcow2 not in pool');

      const back = run([
        ...withVolume('RAID1', [0, 1]),
        { type: 'ObserveBacking', volumeId: '1', missing: 'gone' },
        { type: 'ObserveBacking', volumeId: '1' },
        { type: 'ObserveBacking', volumeId: '1' },
      ]);
      expect(types(back.events.slice(3))).toEqual(['VolumeBackingLost', 'VolumeBackingRestored']);
      expect(volume(back.state, '1').backingMissing).toBeUndefined();
    });

    it('records nothing for a volume whose create has not completed, or that does not exist', () => {
      const pending = [register, create('t-1', 'RAID1', [0, 1])];
      expect(eventsOf(pending, { type: 'ObserveBacking', volumeId: '1', missing: 'not there yet' })).toEqual([]);
      expect(eventsOf([register], { type: 'ObserveBacking', volumeId: '5', missing: 'never was' })).toEqual([]);
      expect(eventsOf([register], { type: 'ObserveBacking', volumeId: '5' })).toEqual([]);
    });
  });

  describe('operations on a volume that goes away', () => {
    /** Open tasks about a volume that no longer exists: nothing can carry them out (the reconciler skips them) or ask about them. */
    const orphans = (state: StorageState) =>
      state.operations.filter((op) => state.volumes[op.volumeId] === undefined).map((op) => op.taskId);

    it('closes nothing else when a create with nothing queued behind it fails', () => {
      expect(orphans(run([register, create('t-1', 'RAID1', [0, 1]), failed('t-1', 'no pool')]).state)).toEqual([]);
    });

    // A failed create removes its volume: the initialize and delete queued behind it could never
    // run, so their tasks fail with it rather than stay Running for good.
    it('fails the tasks queued behind a create when the create fails', () => {
      const { events, state } = run([
        register,
        create('t-1', 'RAID1', [0, 1], { applyTime: 'OnReset' }),
        initialize('t-2', '1', 'OnReset'),
        remove('t-3', '1', 'OnReset'),
        { type: 'StartPendingOperations' },
        failed('t-1', 'qcow2 create failed: no space left on pool'),
      ]);
      expect(state.volumes).toEqual({});
      expect(orphans(state)).toEqual([]);
      const failedTasks = events
        .filter((e) => e.type === 'VolumeOperationFailed')
        .map((e) => (e.data as { taskId: string }).taskId);
      expect(failedTasks).toEqual(['t-1', 't-2', 't-3']);
    });

    // An Immediate delete may overtake an initialize waiting for a reset: once the volume is gone
    // the initialize can never run, so its task fails when the delete completes.
    it('leaves no task open on a volume whose delete completed', () => {
      const queued = [...withVolume('RAID1', [0, 1]), initialize('t-init', '1', 'OnReset')];
      const decided = decideAfter(queued, remove('t-del', '1'));
      if (isProblem(decided)) {
        expectProblem(decided, { status: 409, messageId: 'ResourceInUse', args: [] });
        return;
      }
      const { state } = run([...queued, remove('t-del', '1'), done('t-del'), { type: 'StartPendingOperations' }]);
      expect(orphans(state)).toEqual([]);
    });
  });

  it('holds at most MAX_VOLUMES_PER_STORAGE volumes, as controllers cap logical drives', () => {
    const full = [
      register,
      ...Array.from({ length: MAX_VOLUMES_PER_STORAGE }, (_, i) =>
        create(`t${i}`, 'RAID0', [0], { capacityBytes: 1024 * 1024 }),
      ),
    ];
    expectProblem(decideAfter(full, create('one-more', 'RAID0', [1], { capacityBytes: 1024 * 1024 })), {
      status: 400,
      messageId: 'CreateLimitReachedForResource',
      args: [],
    });
  });

  it('leaves a volume not made yet out of drive faults: no data to lose, nothing to rebuild', () => {
    const { state } = run([
      register,
      create('t-1', 'RAID1', [0, 1], { applyTime: 'OnReset' }),
      failDrive(1),
      replaceDrive(1),
    ]);
    expect(volume(state, '1')).toMatchObject({ lost: false, rebuilding: [] });
    const lostBeforeMade = run([register, create('t-1', 'RAID0', [0], { applyTime: 'OnReset' }), failDrive(0)]).state;
    expect(volume(lostBeforeMade, '1').lost).toBe(false);
  });

  it('folds an event type it does not know into the same state', () => {
    const { state } = run(withVolume('RAID1', [0, 1]));
    const future = { type: 'VolumeEncryptionEnabled', data: { volumeId: '1' } } as unknown as StorageEvent;
    expect(storageDecider.evolve(state, future)).toBe(state);
  });
});
