import { isProblem, type Decider } from '../decider.js';
import { problem } from '../problem.js';
import type { DriveFacts } from './raid/drive-facts.js';
import { assessVolume, type VolumeCondition } from './raid/fault-effects.js';
import type { AllocatedVolume } from './raid/free-space.js';
import { planVolume, type VolumeRequest } from './raid/plan-volume.js';
import { naaDurableName } from './durable-name.js';
import {
  driveUri,
  type ApplyTime,
  type InitializeType,
  type StorageEvent,
  type StorageRegistered,
  type VolumeShape,
} from './storage-events.js';
import { backingVolumeName, legacyBackingVolumeName } from './backing-volume-name.js';

export type RegisterStorage = { readonly type: 'RegisterStorage' } & StorageRegistered['data'];

/** POST to Volumes, its body already parsed; `taskId` is chosen by the caller (decisions make no ids). */
export interface CreateVolume {
  readonly type: 'CreateVolume';
  readonly taskId: string;
  readonly applyTime: ApplyTime;
  readonly name?: string;
  readonly request: VolumeRequest;
  /**
   * The store's tag, which the backing volume's name carries; commands recorded before names
   * carried it have none, and decide the name volumes had then, as a replay of them must.
   */
  readonly storeTag?: string;
}
export interface DeleteVolume {
  readonly type: 'DeleteVolume';
  readonly taskId: string;
  readonly applyTime: ApplyTime;
  readonly volumeId: string;
}
/** DELETE of a task (or its monitor) that waits for the system's next reset. */
export interface CancelOperation {
  readonly type: 'CancelOperation';
  readonly taskId: string;
}
export interface InitializeVolume {
  readonly type: 'InitializeVolume';
  readonly taskId: string;
  readonly applyTime: ApplyTime;
  readonly volumeId: string;
  readonly initializeType: InitializeType;
}
export interface RenameVolume {
  readonly type: 'RenameVolume';
  readonly volumeId: string;
  readonly name: string;
}
/** The system booted: start what waited for a reset. */
export interface StartPendingOperations {
  readonly type: 'StartPendingOperations';
}
/** What the reconciler made of a task; a message says it failed. */
export interface RecordOperationOutcome {
  readonly type: 'RecordOperationOutcome';
  readonly taskId: string;
  readonly message?: string;
}
export interface FailDrive {
  readonly type: 'FailDrive';
  readonly driveId: string;
}
/** PATCH of a drive's LocationIndicatorActive. */
export interface SetDriveLocator {
  readonly type: 'SetDriveLocator';
  readonly driveId: string;
  readonly active: boolean;
}
export interface ReplaceDrive {
  readonly type: 'ReplaceDrive';
  readonly driveId: string;
  readonly serialNumber: string;
}
export interface RecordRebuildProgress {
  readonly type: 'RecordRebuildProgress';
  readonly volumeId: string;
  readonly percent: number;
}
/** What the reconciler finds of a created volume's backing in libvirt. */
export interface ObserveBacking {
  readonly type: 'ObserveBacking';
  readonly volumeId: string;
  /** undefined: present; otherwise why it is not. */
  readonly missing?: string;
}

export type StorageCommand =
  | RegisterStorage
  | CreateVolume
  | DeleteVolume
  | InitializeVolume
  | RenameVolume
  | CancelOperation
  | StartPendingOperations
  | RecordOperationOutcome
  | FailDrive
  | ReplaceDrive
  | SetDriveLocator
  | RecordRebuildProgress
  | ObserveBacking;

export type OperationKind = 'create' | 'delete' | 'initialize';

/** A task not finished yet: waiting for a reset (Pending) or being carried out (Running). */
export interface OpenOperation {
  readonly taskId: string;
  readonly kind: OperationKind;
  readonly volumeId: string;
  readonly applyTime: ApplyTime;
  readonly state: 'Pending' | 'Running';
  readonly initializeType?: InitializeType;
}

export interface VolumeRecord extends VolumeShape {
  /** The libvirt volume exists (its create task completed). */
  readonly created: boolean;
  /** Lost its data to drive failures: stays Failed whatever is replaced. */
  readonly lost: boolean;
  /** Members being rebuilt onto replacement drives, and how far the rebuild is. */
  readonly rebuilding: readonly string[];
  readonly rebuildPercent: number;
  /** Why libvirt no longer holds its backing volume, when it does not. */
  readonly backingMissing?: string;
}

export interface StorageState {
  readonly registration?: StorageRegistered['data'];
  readonly volumes: Readonly<Record<string, VolumeRecord>>;
  /** Drive @odata.ids that have failed and not been replaced. */
  readonly failedDrives: readonly string[];
  /** Drive @odata.ids whose locator light is on (absent in a state kept before there was one). */
  readonly locatedDrives?: readonly string[];
  /** Serial numbers of replacement drives, by drive @odata.id. */
  readonly replacedSerials: Readonly<Record<string, string>>;
  readonly operations: readonly OpenOperation[];
  /** Volume ids are never reused: a deleted volume's URI never names another. */
  readonly volumesEverRequested: number;
  /**
   * Volumes 1 to this were asked for before backing-volume names carried the store: only those
   * of the names without a store tag are this store's (the others are another store's, or an
   * older lab's).
   */
  readonly legacyNamedVolumes: number;
}

/** The volume's backing volume is named as before names carried the store. */
const isLegacyName = (state: StorageState, volume: VolumeShape) =>
  state.registration !== undefined &&
  volume.backingVolume ===
    legacyBackingVolumeName(state.registration.systemId, state.registration.storageId, volume.volumeId);

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Logical drives one controller holds at most, as RAID controllers cap them (64 on LSI/PERC). */
export const MAX_VOLUMES_PER_STORAGE = 64;

/** The drives of a registered storage as the RAID rules see them. */
export function driveFacts(state: StorageState): DriveFacts[] {
  const registration = state.registration;
  if (!registration) return [];
  return registration.drives.map((drive) => {
    const id = driveUri(registration.systemId, registration.storageId, drive.id);
    return {
      id,
      capacityBytes: drive.capacityBytes,
      blockSizeBytes: drive.blockSizeBytes,
      mediaType: drive.mediaType,
      protocol: drive.protocol,
      state: 'Enabled',
      health: state.failedDrives.includes(id) ? 'Critical' : 'OK',
    };
  });
}

/** A volume's condition now: failed drives and members still rebuilding both count as missing. */
export function volumeCondition(volume: VolumeRecord, failedDrives: readonly string[]): VolumeCondition {
  if (volume.lost) return 'Failed';
  return assessVolume(volume, [...failedDrives, ...volume.rebuilding]).condition;
}

const openOn = (state: StorageState, volumeId: string, kind?: OperationKind) =>
  state.operations.find((op) => op.volumeId === volumeId && (kind === undefined || op.kind === kind));

/**
 * The volume a request is about. One still waiting for its create can only be asked for more at
 * the same reset (queued after the create), not now: there is nothing yet to act on.
 */
/**
 * A waiting task cancelled, with the tasks waiting on the volume it was to make: a delete or
 * initialize of a volume that will never be is cancelled with it.
 */
function cancelled(state: StorageState, operation: OpenOperation): StorageEvent[] {
  const alongWith =
    operation.kind === 'create'
      ? state.operations.filter((op) => op.volumeId === operation.volumeId && op.taskId !== operation.taskId)
      : [];
  return [operation, ...alongWith].map((op) => ({
    type: 'VolumeOperationCancelled',
    data: { taskId: op.taskId, volumeId: op.volumeId },
  }));
}

function findVolume(state: StorageState, volumeId: string, applyTime?: ApplyTime) {
  const volume = state.volumes[volumeId];
  if (!volume) return problem(404, 'ResourceNotFound', ['Volume', volumeId]);
  return applyTime === 'Immediate' && openOn(state, volumeId, 'create') ? problem(409, 'ResourceInUse') : volume;
}

/**
 * One storage subsystem: its controller and drives from the lab config, the volumes clients lay
 * out on it, the tasks that carry those out, and the faults injected into its drives. Space on
 * the drives is decided here, against every volume already asked for, so two requests cannot
 * both take the same free space.
 */
export const storageDecider: Decider<StorageCommand, StorageEvent, StorageState> = {
  initialState: {
    volumes: {},
    failedDrives: [],
    replacedSerials: {},
    operations: [],
    volumesEverRequested: 0,
    legacyNamedVolumes: 0,
  },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterStorage': {
        const { type: _, ...data } = command;
        return sameJson(state.registration, data) ? [] : [{ type: 'StorageRegistered', data }];
      }
      case 'CreateVolume': {
        const registration = state.registration;
        if (!registration) return problem(404, 'ResourceNotFound', ['Storage', '']);
        if (Object.keys(state.volumes).length >= MAX_VOLUMES_PER_STORAGE)
          return problem(400, 'CreateLimitReachedForResource');
        const allocated: AllocatedVolume[] = Object.values(state.volumes).map((v) => ({
          id: v.volumeId,
          raidType: v.raidType,
          members: v.members,
          setSize: v.setSize,
          extentBytes: v.extentBytes,
        }));
        const plan = planVolume(command.request, driveFacts(state), allocated, {
          supportedRaidTypes: registration.controller.supportedRaidTypes,
        });
        if (isProblem(plan)) return plan;
        const volumeId = String(state.volumesEverRequested + 1);
        return [
          {
            type: 'VolumeCreateRequested',
            data: {
              taskId: command.taskId,
              applyTime: command.applyTime,
              volumeId,
              name: command.name ?? `Volume ${volumeId}`,
              raidType: plan.raidType,
              volumeType: plan.volumeType,
              members: plan.members,
              setSize: plan.setSize,
              capacityBytes: plan.capacityBytes,
              extentBytes: plan.extentBytes,
              blockSizeBytes: plan.blockSizeBytes,
              ...(plan.stripSizeBytes !== undefined && { stripSizeBytes: plan.stripSizeBytes }),
              durableName: naaDurableName(
                `${registration.systemId}/${registration.storageId}/${volumeId}/${command.taskId}`,
              ),
              backingVolume:
                command.storeTag === undefined
                  ? legacyBackingVolumeName(registration.systemId, registration.storageId, volumeId)
                  : backingVolumeName(registration.systemId, registration.storageId, command.storeTag, volumeId),
            },
          },
        ];
      }
      case 'DeleteVolume': {
        // Deleting now a volume still waiting for the reset that makes it cancels that: it never
        // was. An OnReset delete is queued behind the create, in the order asked for.
        const pendingCreate = state.operations.find(
          (op) => op.volumeId === command.volumeId && op.kind === 'create' && op.state === 'Pending',
        );
        if (pendingCreate && command.applyTime === 'Immediate') return cancelled(state, pendingCreate);
        const volume = findVolume(state, command.volumeId, command.applyTime);
        if (isProblem(volume)) return volume;
        if (openOn(state, command.volumeId, 'delete')) return problem(409, 'ResourceInUse');
        return [
          {
            type: 'VolumeDeleteRequested',
            data: { taskId: command.taskId, applyTime: command.applyTime, volumeId: command.volumeId },
          },
        ];
      }
      case 'InitializeVolume': {
        const volume = findVolume(state, command.volumeId, command.applyTime);
        if (isProblem(volume)) return volume;
        // A volume on its way out, already being initialized, or with its data lost cannot be.
        if (
          openOn(state, command.volumeId, 'delete') ||
          openOn(state, command.volumeId, 'initialize') ||
          volumeCondition(volume, state.failedDrives) === 'Failed'
        ) {
          return problem(409, 'ResourceInUse');
        }
        const { type: _, ...data } = command;
        return [{ type: 'VolumeInitializeRequested', data }];
      }
      case 'RenameVolume': {
        const volume = findVolume(state, command.volumeId);
        if (isProblem(volume)) return volume;
        return volume.name === command.name
          ? []
          : [{ type: 'VolumeRenamed', data: { volumeId: command.volumeId, name: command.name } }];
      }
      case 'CancelOperation': {
        const operation = state.operations.find((op) => op.taskId === command.taskId);
        if (!operation) return problem(404, 'ResourceNotFound', ['Task', command.taskId]);
        // Work under way in libvirt is not stopped half-way: only what waits for a reset can be.
        if (operation.state !== 'Pending') return problem(409, 'ResourceInUse');
        return cancelled(state, operation);
      }
      case 'StartPendingOperations': {
        const taskIds = state.operations.filter((op) => op.state === 'Pending').map((op) => op.taskId);
        return taskIds.length === 0 ? [] : [{ type: 'PendingOperationsStarted', data: { taskIds } }];
      }
      case 'RecordOperationOutcome': {
        const operation = state.operations.find((op) => op.taskId === command.taskId);
        // Recorded already (a retry after a crash): nothing more to say.
        if (!operation) return [];
        const { taskId, volumeId } = operation;
        const outcome: StorageEvent =
          command.message === undefined
            ? { type: 'VolumeOperationCompleted', data: { taskId, volumeId } }
            : { type: 'VolumeOperationFailed', data: { taskId, volumeId, message: command.message } };
        // Work queued on a volume that is now gone (deleted, or never made) can never run: its tasks end here.
        const gone =
          operation.kind === 'delete' && command.message === undefined
            ? 'it was deleted'
            : operation.kind === 'create' && command.message !== undefined
              ? 'it could not be created'
              : undefined;
        const stranded: StorageEvent[] = gone
          ? state.operations
              .filter((op) => op.volumeId === volumeId && op.taskId !== taskId)
              .map((op) => ({
                type: 'VolumeOperationFailed',
                data: { taskId: op.taskId, volumeId, message: `volume ${volumeId} is gone: ${gone}` },
              }))
          : [];
        return [outcome, ...stranded];
      }
      case 'FailDrive': {
        const drive = knownDrive(state, command.driveId);
        if (isProblem(drive)) return drive;
        return state.failedDrives.includes(drive) ? [] : [{ type: 'DriveFailed', data: { driveId: drive } }];
      }
      case 'SetDriveLocator': {
        const drive = knownDrive(state, command.driveId);
        if (isProblem(drive)) return drive;
        const active = (state.locatedDrives ?? []).includes(drive);
        return active === command.active
          ? []
          : [{ type: 'DriveLocatorChanged', data: { driveId: drive, active: command.active } }];
      }
      case 'ReplaceDrive': {
        const drive = knownDrive(state, command.driveId);
        if (isProblem(drive)) return drive;
        // Pulling a working drive to put another in its place fails it first, as on a real backplane.
        const pulled: StorageEvent[] = state.failedDrives.includes(drive)
          ? []
          : [{ type: 'DriveFailed', data: { driveId: drive } }];
        return [...pulled, { type: 'DriveReplaced', data: { driveId: drive, serialNumber: command.serialNumber } }];
      }
      case 'RecordRebuildProgress': {
        const volume = state.volumes[command.volumeId];
        if (!volume || volume.rebuilding.length === 0 || !Number.isFinite(command.percent)) return [];
        const percent = Math.max(0, Math.min(100, Math.floor(command.percent)));
        return percent <= volume.rebuildPercent
          ? []
          : [{ type: 'VolumeRebuildProgressed', data: { volumeId: command.volumeId, percent } }];
      }
      case 'ObserveBacking': {
        const volume = state.volumes[command.volumeId];
        if (!volume?.created) return [];
        if (command.missing === undefined)
          return volume.backingMissing === undefined
            ? []
            : [{ type: 'VolumeBackingRestored', data: { volumeId: command.volumeId } }];
        return volume.backingMissing !== undefined
          ? []
          : [{ type: 'VolumeBackingLost', data: { volumeId: command.volumeId, reason: command.missing } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'StorageRegistered':
        return { ...state, registration: event.data };
      case 'VolumeCreateRequested': {
        const { taskId, applyTime, ...shape } = event.data;
        const volume: VolumeRecord = { ...shape, created: false, lost: false, rebuilding: [], rebuildPercent: 0 };
        return {
          ...state,
          volumes: { ...state.volumes, [shape.volumeId]: volume },
          volumesEverRequested: state.volumesEverRequested + 1,
          ...(isLegacyName(state, shape) && { legacyNamedVolumes: Number(shape.volumeId) }),
          operations: [...state.operations, openOperation(taskId, 'create', shape.volumeId, applyTime)],
        };
      }
      case 'VolumeDeleteRequested':
        return {
          ...state,
          operations: [
            ...state.operations,
            openOperation(event.data.taskId, 'delete', event.data.volumeId, event.data.applyTime),
          ],
        };
      case 'VolumeInitializeRequested': {
        const { taskId, volumeId, applyTime, initializeType } = event.data;
        return {
          ...state,
          operations: [
            ...state.operations,
            { ...openOperation(taskId, 'initialize', volumeId, applyTime), initializeType },
          ],
        };
      }
      case 'PendingOperationsStarted':
        return {
          ...state,
          operations: state.operations.map((op) =>
            event.data.taskIds.includes(op.taskId) ? { ...op, state: 'Running' } : op,
          ),
        };
      case 'VolumeOperationCompleted': {
        const operation = state.operations.find((op) => op.taskId === event.data.taskId);
        const operations = state.operations.filter((op) => op.taskId !== event.data.taskId);
        const volume = state.volumes[event.data.volumeId];
        if (!operation || !volume) return { ...state, operations };
        if (operation.kind === 'delete') {
          const { [volume.volumeId]: _, ...volumes } = state.volumes;
          return { ...state, operations, volumes };
        }
        const created = operation.kind === 'create' ? { created: true } : {};
        return { ...state, operations, volumes: { ...state.volumes, [volume.volumeId]: { ...volume, ...created } } };
      }
      case 'VolumeOperationFailed':
      case 'VolumeOperationCancelled': {
        const operation = state.operations.find((op) => op.taskId === event.data.taskId);
        const operations = state.operations.filter((op) => op.taskId !== event.data.taskId);
        // A volume whose create failed, or was cancelled, never was: its space is free again.
        if (operation?.kind === 'create') {
          const { [event.data.volumeId]: _, ...volumes } = state.volumes;
          return { ...state, operations, volumes };
        }
        return { ...state, operations };
      }
      case 'VolumeRenamed':
        return updateVolume(state, event.data.volumeId, () => ({ name: event.data.name }));
      case 'DriveFailed': {
        const failedDrives = [...state.failedDrives, event.data.driveId];
        return mapVolumes({ ...state, failedDrives }, (volume) => {
          // A volume not made yet holds no data to lose; it is made on what works when its turn comes.
          if (!volume.created || !volume.members.includes(event.data.driveId)) return volume;
          // A drive failing while data was being rebuilt onto it ends that rebuild.
          const rebuilding = volume.rebuilding.filter((member) => member !== event.data.driveId);
          const next = { ...volume, rebuilding, rebuildPercent: rebuilding.length === 0 ? 0 : volume.rebuildPercent };
          return volumeCondition(next, failedDrives) === 'Failed'
            ? { ...next, lost: true, rebuilding: [], rebuildPercent: 0 }
            : next;
        });
      }
      case 'DriveLocatorChanged': {
        const others = (state.locatedDrives ?? []).filter((drive) => drive !== event.data.driveId);
        return { ...state, locatedDrives: event.data.active ? [...others, event.data.driveId] : others };
      }
      case 'DriveReplaced': {
        const failedDrives = state.failedDrives.filter((drive) => drive !== event.data.driveId);
        const replacedSerials = { ...state.replacedSerials, [event.data.driveId]: event.data.serialNumber };
        return mapVolumes({ ...state, failedDrives, replacedSerials }, (volume) =>
          volume.lost || !volume.created || !volume.members.includes(event.data.driveId)
            ? volume
            : { ...volume, rebuilding: [...volume.rebuilding, event.data.driveId], rebuildPercent: 0 },
        );
      }
      case 'VolumeRebuildProgressed':
        return updateVolume(state, event.data.volumeId, () =>
          event.data.percent >= 100 ? { rebuilding: [], rebuildPercent: 0 } : { rebuildPercent: event.data.percent },
        );
      case 'VolumeBackingLost':
        return updateVolume(state, event.data.volumeId, () => ({ backingMissing: event.data.reason }));
      case 'VolumeBackingRestored':
        return updateVolume(state, event.data.volumeId, () => ({ backingMissing: undefined }));
      default:
        // A type this code does not know (written by a newer version): nothing to fold.
        return state;
    }
  },
};

function openOperation(taskId: string, kind: OperationKind, volumeId: string, applyTime: ApplyTime): OpenOperation {
  return { taskId, kind, volumeId, applyTime, state: applyTime === 'OnReset' ? 'Pending' : 'Running' };
}

function knownDrive(state: StorageState, driveId: string) {
  const registration = state.registration;
  const known = registration?.drives.some((drive) => drive.id === driveId);
  return registration && known
    ? driveUri(registration.systemId, registration.storageId, driveId)
    : problem(404, 'ResourceNotFound', ['Drive', driveId]);
}

function updateVolume(
  state: StorageState,
  volumeId: string,
  change: (volume: VolumeRecord) => Partial<VolumeRecord>,
): StorageState {
  const volume = state.volumes[volumeId];
  return volume ? { ...state, volumes: { ...state.volumes, [volumeId]: { ...volume, ...change(volume) } } } : state;
}

function mapVolumes(state: StorageState, change: (volume: VolumeRecord) => VolumeRecord): StorageState {
  return {
    ...state,
    volumes: Object.fromEntries(Object.entries(state.volumes).map(([id, volume]) => [id, change(volume)])),
  };
}
