import type { Durability } from '../eventstore/database.js';

/** The emulator's configuration, as checked against config/schema.json. */
export interface EmulatorConfig {
  readonly dataDir: string;
  readonly database: { readonly file: string; readonly durability: Durability };
  readonly listen: { readonly address: string; readonly port: number; readonly bodyLimitBytes?: number };
  readonly auth: { readonly enabled: boolean; readonly htpasswdFile?: string; readonly sessionTimeoutSeconds?: number };
  readonly tls?: false | { readonly selfSigned: true } | { readonly certFile: string; readonly keyFile: string };
  /** Where SimpleUpdate fetches images from: a CA to trust besides the system's. */
  readonly updateService?: { readonly caFile?: string };
  readonly libvirt: { readonly uri: string; readonly pool?: { readonly name: string; readonly path: string } };
  readonly lab: {
    readonly createMissingDomains?: boolean;
    readonly rebuildSeconds?: number;
    readonly systems: readonly SystemConfig[];
    readonly adopt?: readonly AdoptRule[];
  };
}

/** Existing domains to present as systems: all on `uri`, or those named or with these UUIDs. */
export interface AdoptRule {
  readonly uri: string;
  readonly names?: readonly string[];
  readonly uuids?: readonly string[];
}

export interface SystemConfig {
  readonly id: string;
  readonly name?: string;
  readonly domain: string;
  readonly libvirtUri?: string;
  readonly vcpus?: number;
  readonly memoryMiB?: number;
  readonly firmware?: 'BIOS' | 'UEFI';
  readonly biosVersion?: string;
  readonly bmcFirmwareVersion?: string;
  readonly storage?: readonly StorageConfig[];
}

export type RaidLevelName = 'None' | 'RAID0' | 'RAID1' | 'RAID5' | 'RAID6' | 'RAID10' | 'RAID50' | 'RAID60';
export type DriveProtocol = 'SAS' | 'SATA' | 'NVMe';

export interface StorageConfig {
  readonly id: string;
  readonly name?: string;
  readonly controller?: {
    readonly model?: string;
    readonly manufacturer?: string;
    readonly firmwareVersion?: string;
    readonly speedGbps?: number;
    readonly supportedRaidTypes?: readonly RaidLevelName[];
    readonly protocols?: readonly DriveProtocol[];
  };
  readonly drives: readonly DriveConfig[];
}

export interface DriveConfig {
  readonly id: string;
  readonly name?: string;
  readonly capacityBytes: number;
  readonly mediaType: 'HDD' | 'SSD';
  readonly protocol: DriveProtocol;
  readonly blockSizeBytes?: 512 | 4096;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly serialNumber?: string;
  readonly revision?: string;
  readonly rotationSpeedRPM?: number;
}
