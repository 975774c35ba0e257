/** The kinds of firmware a system's inventory lists. */
export type FirmwareKind = 'BIOS' | 'BMC' | 'StorageController' | 'Drive';

/** One piece of firmware of a system, as the lab config describes it. */
export interface FirmwareComponent {
  /** Its SoftwareInventory id, unique across the service: `node-1-BIOS`. */
  readonly id: string;
  readonly kind: FirmwareKind;
  readonly name: string;
  /** The version the config gives it: what it runs until an update is applied. */
  readonly version: string;
  /** The resource it is the firmware of (the ComputerSystem, the Manager, a controller, a drive). */
  readonly about: string;
  /** Every URI a SimpleUpdate target may name it by: its inventory item, `about`, and the like. */
  readonly addresses: readonly string[];
}

/** The transfer protocols SimpleUpdate fetches images with. */
export const TRANSFER_PROTOCOLS = ['HTTP', 'HTTPS'] as const;
export type TransferProtocol = (typeof TRANSFER_PROTOCOLS)[number];

/** What the lab config says of a system's firmware; recorded when it first appears or changes. */
export interface FirmwareRegistered {
  readonly type: 'FirmwareRegistered';
  readonly data: { readonly components: readonly FirmwareComponent[] };
}

/** UpdateService.SimpleUpdate accepted: the image is to be fetched, then applied at the next reset. */
export interface FirmwareUpdateRequested {
  readonly type: 'FirmwareUpdateRequested';
  readonly data: {
    readonly taskId: string;
    /** The image's URL, without any credentials (they are never recorded). */
    readonly imageUri: string;
    readonly transferProtocol: TransferProtocol;
    /** The ids of the components it updates. */
    readonly targets: readonly string[];
  };
}

/** The image was fetched: it waits for the system's next reset to take effect. */
export interface FirmwareImageStaged {
  readonly type: 'FirmwareImageStaged';
  readonly data: {
    readonly taskId: string;
    readonly version: string;
    readonly sha256: string;
    readonly sizeBytes: number;
  };
}

/** Why an image could not be fetched: the host not reached, credentials refused, or anything else. */
export type FirmwareFailureReason = 'Connection' | 'Authorization' | 'Transfer';

export interface FirmwareUpdateFailed {
  readonly type: 'FirmwareUpdateFailed';
  readonly data: {
    readonly taskId: string;
    readonly imageUri: string;
    readonly reason: FirmwareFailureReason;
    readonly message: string;
  };
}

/** The system was reset with a staged image: its components run the new versions. */
export interface FirmwareUpdateApplied {
  readonly type: 'FirmwareUpdateApplied';
  readonly data: { readonly taskId: string; readonly versions: Readonly<Record<string, string>> };
}

export type FirmwareEvent =
  | FirmwareRegistered
  | FirmwareUpdateRequested
  | FirmwareImageStaged
  | FirmwareUpdateFailed
  | FirmwareUpdateApplied;
