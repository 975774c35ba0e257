import type { RoleId } from '../redfish/auth/roles.js';
import type { Durability } from '../eventstore/database.js';
import type { NicNetwork } from '../libvirt/xml/demo-domain-xml.js';
import type { LogLevel } from '../logging/service-logger.js';
import type { RefusalLimits } from '../domain/refusals/refusal-window.js';
import type { MockupLabConfig } from '../mockup/mockup-lab.js';

/** The emulator's configuration, as checked against config/schema.json. */
export interface EmulatorConfig {
  readonly dataDir: string;
  readonly database: { readonly file: string; readonly durability: Durability };
  readonly listen: { readonly address: string; readonly port: number; readonly bodyLimitBytes?: number };
  readonly log?: { readonly level?: LogLevel; readonly file?: string };
  /** How many refused requests the log records per window; the rest are counted (src/domain/refusals/refusal-window.ts). */
  readonly refusedRequests?: Partial<RefusalLimits>;
  readonly auth: {
    readonly enabled: boolean;
    readonly htpasswdFile?: string;
    readonly sessionTimeoutSeconds?: number;
    /** The role of each account named; the others are Administrators. */
    readonly roles?: Readonly<Record<string, RoleId>>;
    /** The AccountService's lockout settings, until a client changes them (defaults: 5 failures, 300 s, 300 s). */
    readonly accountLockout?: {
      readonly threshold?: number;
      readonly durationSeconds?: number;
      readonly counterResetAfterSeconds?: number;
    };
  };
  readonly tls?: false | { readonly selfSigned: true } | { readonly certFile: string; readonly keyFile: string };
  /** Where SimpleUpdate fetches images from: a CA to trust besides the system's. */
  readonly updateService?: { readonly caFile?: string };
  readonly libvirt: { readonly uri: string; readonly pool?: { readonly name: string; readonly path: string } };
  readonly lab: {
    readonly createMissingDomains?: boolean;
    /** Take over domains another store owns (serve --take-over). */
    readonly takeOver?: boolean;
    /** The network of systems that name none; user-mode networking when absent. */
    readonly network?: NetworkConfig;
    readonly rebuildSeconds?: number;
    readonly systems: readonly SystemConfig[];
    /** Systems with no VM behind them, on the simulated host: by count and pattern, or singly. */
    readonly simulated?: readonly SimulatedSectionConfig[];
    readonly adopt?: readonly AdoptRule[];
    /** What an adopted system's id is: its domain's name (the default) or its UUID. */
    readonly systemIds?: SystemIds;
    readonly virtualMedia?: VirtualMediaConfig;
    /** PUT each changed system, as sushy-tools' fake driver does, to a URL. */
    readonly notifications?: NotificationsConfig;
    /** Serve a recorded Redfish tree instead of libvirt machines: a mockup lab. */
    readonly mockup?: MockupLabConfig;
  };
}

/** How every system's virtual media fetch https images: trusted CAs and the VerifyCertificate default. */
export interface VirtualMediaConfig {
  /** A PEM file of CA certificates trusted for image servers, besides the system's roots and each device's Certificates. */
  readonly caFile?: string;
  /** VerifyCertificate of a device no client has set (default false, as DMTF advises and sushy-tools does). */
  readonly verifyCertificate?: boolean;
}

/**
 * Change notifications: each change of a system (power, boot override, virtual media, NICs) is
 * PUT as JSON, in the shape sushy-tools' fake systems driver sends to EXTERNAL_NOTIFICATION_URL.
 */
export interface NotificationsConfig {
  readonly url: string;
  /** A PEM file of CA certificates trusted for an https receiver, besides the system's roots. */
  readonly caFile?: string;
  /** A client certificate and its key (PEM files), for a receiver that asks for one. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Check an https receiver's certificate: by default only when caFile is given, as sushy-tools does. */
  readonly verifyCertificate?: boolean;
  /** Whose changes are sent: every system (the default), the simulated ones, or those with these ids. */
  readonly systems?: 'all' | 'simulated' | readonly string[];
  /** Attempts per change before it is given up (default 10). */
  readonly attempts?: number;
  /** The wait after the first failed attempt, doubled after each one up to 60 s (default 1). */
  readonly retryIntervalSeconds?: number;
}

export type SystemIds = 'name' | 'uuid';

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
  /** The root disk made with the domain, in GiB; 0 for none. */
  readonly rootDiskGiB?: number;
  readonly network?: NetworkConfig;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly serialNumber?: string;
  readonly sku?: string;
  readonly biosVersion?: string;
  readonly bmcFirmwareVersion?: string;
  readonly storage?: readonly StorageConfig[];
}

/** A section of simulated systems (README, Simulated systems): ids, names and hardware from patterns where {index} is each one's index. */
export interface SimulatedSectionConfig {
  readonly id: string;
  readonly count?: number;
  readonly start?: number;
  readonly name?: string;
  readonly domain?: string;
  readonly template?: SimulatedTemplateConfig;
  /** Seconds a power change takes: fixed, or a range each change picks from. */
  readonly powerSeconds?: number | { readonly min: number; readonly max: number };
  readonly virtualMedia?: 'record' | 'fetch';
}

/** A simulated system's hardware: a configured system's, without where its domain is. */
export type SimulatedTemplateConfig = Omit<SystemConfig, 'id' | 'name' | 'domain' | 'libvirtUri' | 'network'> & {
  readonly nics?: number;
};

/** What a defined domain's NIC is plugged into: user-mode networking, a libvirt network, or a host bridge. */
export type NetworkConfig = NicNetwork;

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
