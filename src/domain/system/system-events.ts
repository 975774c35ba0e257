import type { FirmwareEvent } from '../firmware/firmware-events.js';

/** The stream of one emulated server: its @odata.id. */
export const systemStream = (systemId: string) => `/redfish/v1/Systems/${systemId}`;

export type PowerState = 'On' | 'Off' | 'Paused';

/** What the lab config says about a system; recorded when it first appears or changes. */
export interface SystemRegistered {
  readonly type: 'SystemRegistered';
  readonly data: {
    readonly systemId: string;
    readonly name: string;
    readonly libvirtUri: string;
    readonly domainName: string;
    /** The lab's VerifyCertificate default for virtual media (config lab.virtualMedia), when it sets one. */
    readonly mediaVerifyCertificate?: boolean;
    /** What the ComputerSystem says it is; absent in registrations recorded before it was configurable. */
    readonly inventory?: SystemInventory;
  };
}

/** The maker's identification of a system, as configured (or defaulted). */
export interface SystemInventory {
  readonly manufacturer: string;
  readonly model: string;
  readonly serialNumber: string;
  readonly sku: string;
}

/** What libvirt reports about the system's domain, recorded when it differs from what was known. */
export interface DomainObserved {
  readonly type: 'DomainObserved';
  readonly data: {
    readonly uuid: string;
    readonly vcpus: number;
    readonly memoryBytes: number;
    readonly firmware: 'BIOS' | 'UEFI';
    readonly macAddresses: readonly string[];
    /**
     * The domain's own disks (a root disk, an adopted domain's disks), not those backing an
     * emulated controller's volumes; the capacity when libvirt knows the disk as a storage volume.
     */
    readonly disks?: readonly ObservedDisk[];
  };
}

export interface ObservedDisk {
  /** The guest-side name: vda, sdb… */
  readonly target: string;
  readonly bus: string;
  readonly capacityBytes?: number;
}

/** The domain's power state changed (observed through libvirt events or a resync). */
export interface PowerStateObserved {
  readonly type: 'PowerStateObserved';
  readonly data: { readonly powerState: PowerState };
}

/** The domain the system stands for is not in libvirt (any more). */
export interface DomainMissingObserved {
  readonly type: 'DomainMissingObserved';
  readonly data: { readonly domainName: string };
}

/**
 * This store wrote itself into the domain's metadata as its owner (libvirt-side, see
 * owner-metadata.ts): a domain no store owned yet, or, taken over on purpose (serve --take-over,
 * key lab.takeOver), another store's, named in `previousOwner`.
 */
export interface DomainClaimed {
  readonly type: 'DomainClaimed';
  readonly data: { readonly domainName: string; readonly store: string; readonly previousOwner?: string };
}

/** The domain's metadata names another store as its owner: this one leaves the domain alone. */
export interface DomainOwnedElsewhere {
  readonly type: 'DomainOwnedElsewhere';
  readonly data: { readonly domainName: string; readonly owner: string };
}

/** The libvirt daemon that holds the system's domain does not answer: stopped, or out of reach. */
export interface HostUnreachableObserved {
  readonly type: 'HostUnreachableObserved';
  readonly data: { readonly libvirtUri: string; readonly reason: string };
}

/** That daemon answers again. */
export interface HostReachableObserved {
  readonly type: 'HostReachableObserved';
  readonly data: { readonly libvirtUri: string };
}

/** Every ResetType of ComputerSystem.Reset, in the order the service advertises them. */
export const RESET_TYPES = [
  'On',
  'ForceOff',
  'GracefulShutdown',
  'GracefulRestart',
  'ForceRestart',
  'Nmi',
  'ForceOn',
  'PushPowerButton',
] as const;
export type ResetType = (typeof RESET_TYPES)[number];

/** The machine started (from off, or by a restart): what waits for a reset happens now. */
export interface SystemBooted {
  readonly type: 'SystemBooted';
  readonly data: Record<string, never>;
}

/** A client asked for a reset; the reconciler carries it out on the domain. */
export interface ResetRequested {
  readonly type: 'ResetRequested';
  readonly data: { readonly resetType: ResetType };
}

/** The reconciler carried out a requested reset (`requestedAt` is the request's position). */
export interface ResetApplied {
  readonly type: 'ResetApplied';
  readonly data: { readonly resetType: ResetType; readonly requestedAt: number };
}

/** libvirt refused or failed a requested reset. */
export interface ResetFailed {
  readonly type: 'ResetFailed';
  readonly data: { readonly resetType: ResetType; readonly requestedAt: number; readonly message: string };
}

/** The boot targets the emulator can put first in a domain's boot order. */
export const BOOT_TARGETS = ['None', 'Pxe', 'Hdd', 'Cd', 'Floppy', 'UefiHttp'] as const;
export type BootTarget = (typeof BOOT_TARGETS)[number];
export const BOOT_OVERRIDE_ENABLED = ['Disabled', 'Once', 'Continuous'] as const;
export type BootOverrideEnabled = (typeof BOOT_OVERRIDE_ENABLED)[number];
export type BootMode = 'Legacy' | 'UEFI';

export interface BootOverride {
  readonly target: BootTarget;
  readonly enabled: BootOverrideEnabled;
  /** UefiHttp's image (HttpBootUri): booted from at the next boot; absent for a boot over the network by DHCP. */
  readonly httpBootUri?: string;
}

/** A client changed the boot source override. */
export interface BootOverrideChanged {
  readonly type: 'BootOverrideChanged';
  readonly data: BootOverride;
}

/** The system booted with a one-time override, which is now spent (back to Disabled). */
export interface BootOverrideConsumed {
  readonly type: 'BootOverrideConsumed';
  readonly data: BootOverride;
}

/** A client chose the firmware the machine boots with (Legacy: BIOS, UEFI: OVMF), from its next boot. */
export interface BootModeChanged {
  readonly type: 'BootModeChanged';
  readonly data: { readonly mode: BootMode };
}

/** SecureBootEnable as a client set it: it takes effect at the next boot. */
export interface SecureBootChanged {
  readonly type: 'SecureBootChanged';
  readonly data: { readonly enabled: boolean };
}
/** The machine booted with Secure Boot on or off (SecureBootCurrentBoot). */
export interface SecureBootApplied {
  readonly type: 'SecureBootApplied';
  readonly data: { readonly enabled: boolean };
}

/** The locator light: `IndicatorLED` (deprecated, still sent by clients) and `LocationIndicatorActive`. */
export const INDICATOR_LED = ['Lit', 'Blinking', 'Off'] as const;
export type IndicatorLed = (typeof INDICATOR_LED)[number];

/** The ComputerSystem's AssetTag, as a client set it. */
export interface AssetTagChanged {
  readonly type: 'AssetTagChanged';
  readonly data: { readonly assetTag: string };
}

export interface IndicatorChanged {
  readonly type: 'IndicatorChanged';
  readonly data: { readonly led: IndicatorLed };
}

/** BIOS settings a client asked for (the whole pending set), applied at the next boot. */
export interface BiosSettingsRequested {
  readonly type: 'BiosSettingsRequested';
  readonly data: { readonly attributes: Readonly<Record<string, string | number | boolean>> };
}
/** The machine booted and took its pending BIOS settings. */
export interface BiosSettingsApplied {
  readonly type: 'BiosSettingsApplied';
  readonly data: { readonly attributes: Readonly<Record<string, string | number | boolean>> };
}
/** Bios.ResetBios: every attribute back to its default, pending settings dropped. */
export interface BiosReset {
  readonly type: 'BiosReset';
  readonly data: Record<string, never>;
}

/** The virtual media devices each system's BMC offers. */
export const MEDIA_DEVICES = ['Cd', 'Floppy'] as const;
export type MediaDevice = (typeof MEDIA_DEVICES)[number];

/** A client asked for an image (by URL) to be inserted; the reconciler fetches and attaches it. */
export interface VirtualMediaInsertRequested {
  readonly type: 'VirtualMediaInsertRequested';
  readonly data: {
    readonly device: MediaDevice;
    readonly image: string;
    /** The account sent to the image server; its password is kept outside the log (EventStore secrets). */
    readonly userName?: string;
    /** TransferProtocolType as the client gave it. */
    readonly transferProtocol?: 'HTTP' | 'HTTPS';
  };
}
export interface VirtualMediaInserted {
  readonly type: 'VirtualMediaInserted';
  readonly data: { readonly device: MediaDevice; readonly image: string };
}
/** How far the fetch of an image asked for has got, recorded now and then while it runs. */
export interface VirtualMediaDownloadProgressed {
  readonly type: 'VirtualMediaDownloadProgressed';
  readonly data: {
    readonly device: MediaDevice;
    readonly image: string;
    readonly bytes: number;
    readonly totalBytes?: number;
  };
}
export interface VirtualMediaInsertFailed {
  readonly type: 'VirtualMediaInsertFailed';
  readonly data: { readonly device: MediaDevice; readonly image: string; readonly message: string };
}
export interface VirtualMediaEjectRequested {
  readonly type: 'VirtualMediaEjectRequested';
  readonly data: { readonly device: MediaDevice };
}
export interface VirtualMediaEjected {
  readonly type: 'VirtualMediaEjected';
  readonly data: { readonly device: MediaDevice };
}

/** VerifyCertificate of a device: whether an https image server must be trusted. */
export interface VirtualMediaVerificationChanged {
  readonly type: 'VirtualMediaVerificationChanged';
  readonly data: { readonly device: MediaDevice; readonly verify: boolean };
}
/** A certificate (PEM) the device trusts image servers by, under its Certificates collection. */
export interface VirtualMediaCertificateAdded {
  readonly type: 'VirtualMediaCertificateAdded';
  readonly data: { readonly device: MediaDevice; readonly certificateId: string; readonly pem: string };
}
/** CertificateService.ReplaceCertificate of a device's certificate: the same id, another PEM. */
export interface VirtualMediaCertificateReplaced {
  readonly type: 'VirtualMediaCertificateReplaced';
  readonly data: { readonly device: MediaDevice; readonly certificateId: string; readonly pem: string };
}
export interface VirtualMediaCertificateRemoved {
  readonly type: 'VirtualMediaCertificateRemoved';
  readonly data: { readonly device: MediaDevice; readonly certificateId: string };
}

export type SystemEvent =
  | SystemRegistered
  | DomainObserved
  | PowerStateObserved
  | DomainMissingObserved
  | DomainClaimed
  | DomainOwnedElsewhere
  | HostUnreachableObserved
  | HostReachableObserved
  | ResetRequested
  | SystemBooted
  | ResetApplied
  | ResetFailed
  | BootOverrideChanged
  | BootOverrideConsumed
  | BootModeChanged
  | SecureBootChanged
  | SecureBootApplied
  | VirtualMediaInsertRequested
  | VirtualMediaInserted
  | VirtualMediaInsertFailed
  | VirtualMediaDownloadProgressed
  | VirtualMediaEjectRequested
  | VirtualMediaEjected
  | VirtualMediaVerificationChanged
  | VirtualMediaCertificateAdded
  | VirtualMediaCertificateRemoved
  | VirtualMediaCertificateReplaced
  | IndicatorChanged
  | AssetTagChanged
  | BiosSettingsRequested
  | BiosSettingsApplied
  | BiosReset
  | FirmwareEvent;
