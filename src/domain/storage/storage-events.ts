import type { SupportedRaidType } from './raid/raid-levels.js';
import type { VolumeType } from './raid/volume-type.js';

/** The stream of one storage subsystem (controller, drives, volumes): its @odata.id. */
export const storageStream = (systemId: string, storageId: string) =>
  `/redfish/v1/Systems/${systemId}/Storage/${storageId}`;
export const driveUri = (systemId: string, storageId: string, driveId: string) =>
  `${storageStream(systemId, storageId)}/Drives/${driveId}`;
export const volumeUri = (systemId: string, storageId: string, volumeId: string) =>
  `${storageStream(systemId, storageId)}/Volumes/${volumeId}`;

/** When a client wants a volume operation carried out: now, or at the system's next reset. */
export const APPLY_TIMES = ['Immediate', 'OnReset'] as const;
export type ApplyTime = (typeof APPLY_TIMES)[number];

export const INITIALIZE_TYPES = ['Fast', 'Slow'] as const;
export type InitializeType = (typeof INITIALIZE_TYPES)[number];

export interface ControllerSpec {
  readonly model: string;
  readonly manufacturer: string;
  readonly firmwareVersion: string;
  readonly speedGbps: number;
  readonly supportedRaidTypes: readonly SupportedRaidType[];
  readonly protocols: readonly string[];
}

/** A physical drive as the lab config describes it, defaults filled in. */
export interface DriveSpec {
  readonly id: string;
  readonly name: string;
  readonly capacityBytes: number;
  readonly mediaType: 'HDD' | 'SSD';
  readonly protocol: 'SAS' | 'SATA' | 'NVMe';
  readonly blockSizeBytes: number;
  readonly manufacturer: string;
  readonly model: string;
  readonly serialNumber: string;
  readonly revision: string;
  readonly rotationSpeedRPM?: number;
}

/** What the lab config says about a storage subsystem; recorded when it first appears or changes. */
export interface StorageRegistered {
  readonly type: 'StorageRegistered';
  readonly data: {
    readonly systemId: string;
    readonly storageId: string;
    readonly name: string;
    readonly controller: ControllerSpec;
    readonly drives: readonly DriveSpec[];
  };
}

/** The shape of a logical volume, decided when it is asked for. */
export interface VolumeShape {
  readonly volumeId: string;
  readonly name: string;
  readonly raidType: SupportedRaidType;
  readonly volumeType: VolumeType;
  /** Member drives' @odata.ids, in the order the client listed them. */
  readonly members: readonly string[];
  readonly setSize: number;
  readonly capacityBytes: number;
  /** Bytes the volume holds on every member. */
  readonly extentBytes: number;
  readonly blockSizeBytes: number;
  readonly stripSizeBytes?: number;
  /** What the guest sees as the disk's serial: an NAA-5 name, 16 hex digits. */
  readonly durableName: string;
  /** The libvirt volume behind it, named when it is asked for (see backing-volume-name.ts). */
  readonly backingVolume: string;
}

/** Every request that outlives its HTTP exchange runs as a Redfish Task with this id. */
interface TaskRequest {
  readonly taskId: string;
  readonly applyTime: ApplyTime;
}

export interface VolumeCreateRequested {
  readonly type: 'VolumeCreateRequested';
  readonly data: VolumeShape & TaskRequest;
}
export interface VolumeDeleteRequested {
  readonly type: 'VolumeDeleteRequested';
  readonly data: { readonly volumeId: string } & TaskRequest;
}
export interface VolumeInitializeRequested {
  readonly type: 'VolumeInitializeRequested';
  readonly data: { readonly volumeId: string; readonly initializeType: InitializeType } & TaskRequest;
}

/** The system booted: requests waiting for a reset are carried out now, in the order given. */
export interface PendingOperationsStarted {
  readonly type: 'PendingOperationsStarted';
  readonly data: { readonly taskIds: readonly string[] };
}

/** The reconciler finished a task's work on libvirt; `message` says why it failed, when it did. */
export interface VolumeOperationCompleted {
  readonly type: 'VolumeOperationCompleted';
  readonly data: { readonly taskId: string; readonly volumeId: string };
}
/** A client cancelled a task still waiting for a reset: its work never happens (a volume it was to make never was). */
export interface VolumeOperationCancelled {
  readonly type: 'VolumeOperationCancelled';
  readonly data: { readonly taskId: string; readonly volumeId: string };
}
export interface VolumeOperationFailed {
  readonly type: 'VolumeOperationFailed';
  readonly data: { readonly taskId: string; readonly volumeId: string; readonly message: string };
}

export interface VolumeRenamed {
  readonly type: 'VolumeRenamed';
  readonly data: { readonly volumeId: string; readonly name: string };
}

/** Fault injection: a drive stops working; or a new drive takes its bay. */
export interface DriveFailed {
  readonly type: 'DriveFailed';
  readonly data: { readonly driveId: string };
}
export interface DriveReplaced {
  readonly type: 'DriveReplaced';
  readonly data: { readonly driveId: string; readonly serialNumber: string };
}
/** A client turned a drive's locator light on or off (its @odata.id, as DriveFailed names it). */
export interface DriveLocatorChanged {
  readonly type: 'DriveLocatorChanged';
  readonly data: { readonly driveId: string; readonly active: boolean };
}
/** Rebuild of a degraded volume onto a replacement drive, in whole percent. */
export interface VolumeRebuildProgressed {
  readonly type: 'VolumeRebuildProgressed';
  readonly data: { readonly volumeId: string; readonly percent: number };
}

/** Drift: what libvirt holds disagrees with the volume (its backing file gone), or agrees again. */
export interface VolumeBackingLost {
  readonly type: 'VolumeBackingLost';
  readonly data: { readonly volumeId: string; readonly reason: string };
}
export interface VolumeBackingRestored {
  readonly type: 'VolumeBackingRestored';
  readonly data: { readonly volumeId: string };
}

export type StorageEvent =
  | DriveLocatorChanged
  | StorageRegistered
  | VolumeCreateRequested
  | VolumeDeleteRequested
  | VolumeInitializeRequested
  | PendingOperationsStarted
  | VolumeOperationCompleted
  | VolumeOperationFailed
  | VolumeOperationCancelled
  | VolumeRenamed
  | DriveFailed
  | DriveReplaced
  | VolumeRebuildProgressed
  | VolumeBackingLost
  | VolumeBackingRestored;
