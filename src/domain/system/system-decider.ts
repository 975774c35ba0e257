import type { Decider } from '../decider.js';
import { problem } from '../problem.js';
import { BIOS_DEFAULTS, type BiosValue } from './bios-attributes.js';
import {
  evolveMediaTrust,
  MAX_MEDIA_CERTIFICATES,
  trustOf,
  verifiesCertificates,
  type MediaTrustByDevice,
} from './media-trust.js';
import {
  decideFirmware,
  evolveFirmware,
  firmwareBootEffects,
  INITIAL_FIRMWARE,
  type FirmwareCommand,
  type FirmwareState,
} from '../firmware/firmware.js';
import { resetFailureOf, stillStanding, type StandingResetFailure } from './reset-failure.js';
import type {
  BootMode,
  BootOverride,
  BootOverrideEnabled,
  BootTarget,
  DomainObserved,
  IndicatorLed,
  MediaDevice,
  PowerState,
  ResetApplied,
  ResetType,
  SystemEvent,
  SystemRegistered,
} from './system-events.js';

export type RegisterSystem = { readonly type: 'RegisterSystem' } & SystemRegistered['data'];
export type ObserveDomain = { readonly type: 'ObserveDomain' } & DomainObserved['data'];
export interface ObservePowerState {
  readonly type: 'ObservePowerState';
  readonly powerState: PowerState;
}
export interface ObserveDomainMissing {
  readonly type: 'ObserveDomainMissing';
}
/** This store wrote itself as the domain's owner (`previousOwner`: the store it took the domain over from). */
export interface RecordDomainClaim {
  readonly type: 'RecordDomainClaim';
  readonly store: string;
  readonly previousOwner?: string;
}
export interface ObserveDomainOwnedElsewhere {
  readonly type: 'ObserveDomainOwnedElsewhere';
  readonly owner: string;
}
/** The daemon holding the domain did not answer (the reason: what the connection said). */
export interface ObserveHostUnreachable {
  readonly type: 'ObserveHostUnreachable';
  readonly reason: string;
}
/** The daemon holding the domain answered. */
export interface ObserveHostReachable {
  readonly type: 'ObserveHostReachable';
}

/** ComputerSystem.Reset, its ResetType already checked against the allowable values. */
export interface ResetSystem {
  readonly type: 'ResetSystem';
  readonly resetType: ResetType;
}
export type RecordResetOutcome = {
  readonly type: 'RecordResetOutcome';
  readonly message?: string;
} & ResetApplied['data'];

/** PATCH of a system: the boot override and the locator light, each optional, values already checked. */
export interface PatchSystem {
  readonly type: 'PatchSystem';
  readonly target?: BootTarget;
  readonly enabled?: BootOverrideEnabled;
  readonly mode?: BootMode;
  /** Boot.HttpBootUri: a URL, or null to clear it. */
  readonly httpBootUri?: string | null;
  /** From IndicatorLED, or LocationIndicatorActive (true = Blinking, false = Off). */
  readonly led?: IndicatorLed;
  readonly assetTag?: string;
}

/** VirtualMedia.InsertMedia / EjectMedia, and what the reconciler made of them. */
export interface InsertMedia {
  readonly type: 'InsertMedia';
  readonly device: MediaDevice;
  readonly image: string;
  readonly userName?: string;
  readonly transferProtocol?: 'HTTP' | 'HTTPS';
}
/** PATCH of a device's VerifyCertificate, and its Certificates collection's POST and DELETE. */
export interface SetMediaVerification {
  readonly type: 'SetMediaVerification';
  readonly device: MediaDevice;
  readonly verify: boolean;
}
export interface AddMediaCertificate {
  readonly type: 'AddMediaCertificate';
  readonly device: MediaDevice;
  /** One PEM certificate, already checked to be one. */
  readonly pem: string;
}
export interface ReplaceMediaCertificate {
  readonly type: 'ReplaceMediaCertificate';
  readonly device: MediaDevice;
  readonly certificateId: string;
  /** One PEM certificate, already checked to be one. */
  readonly pem: string;
}
export interface RemoveMediaCertificate {
  readonly type: 'RemoveMediaCertificate';
  readonly device: MediaDevice;
  readonly certificateId: string;
}
export interface EjectMedia {
  readonly type: 'EjectMedia';
  readonly device: MediaDevice;
}
export interface RecordMediaProgress {
  readonly type: 'RecordMediaProgress';
  readonly device: MediaDevice;
  readonly image: string;
  readonly bytes: number;
  readonly totalBytes?: number;
}
export interface RecordMediaOutcome {
  readonly type: 'RecordMediaOutcome';
  readonly device: MediaDevice;
  readonly action: 'insert' | 'eject';
  readonly image?: string;
  readonly message?: string;
}

/** PATCH of Bios/Settings, attributes already checked; and Bios.ResetBios. */
export interface SetBiosSettings {
  readonly type: 'SetBiosSettings';
  readonly attributes: Readonly<Record<string, BiosValue>>;
}
export interface ResetBios {
  readonly type: 'ResetBios';
}
/** PATCH of SecureBoot's SecureBootEnable. */
export interface SetSecureBoot {
  readonly type: 'SetSecureBoot';
  readonly enabled: boolean;
}

export type SystemCommand =
  | SetMediaVerification
  | AddMediaCertificate
  | RemoveMediaCertificate
  | ReplaceMediaCertificate
  | FirmwareCommand
  | SetSecureBoot
  | SetBiosSettings
  | ResetBios
  | InsertMedia
  | EjectMedia
  | RecordMediaOutcome
  | RecordMediaProgress
  | RegisterSystem
  | ObserveDomain
  | ObservePowerState
  | ObserveDomainMissing
  | RecordDomainClaim
  | ObserveDomainOwnedElsewhere
  | ObserveHostUnreachable
  | ObserveHostReachable
  | ResetSystem
  | RecordResetOutcome
  | PatchSystem;

export interface SystemState {
  readonly registration?: SystemRegistered['data'];
  readonly domain?: DomainObserved['data'];
  readonly powerState?: PowerState;
  /**
   * Seen off and not booted since: the next On is a boot. Kept apart from powerState because
   * QEMU starts a machine paused and then resumes it, so a boot is seen as Off → Paused → On.
   */
  readonly offSinceBoot: boolean;
  readonly domainMissing: boolean;
  /** The store the domain's metadata names as its owner, when not this one: nothing is done to it. */
  readonly ownedElsewhere?: string;
  /** Its libvirt daemon does not answer: what is known of the domain may be out of date. */
  readonly hostUnreachable: boolean;
  readonly bootOverride: BootOverride;
  /** The image each device holds, or is asked to hold; absent when empty. */
  readonly media: Readonly<Partial<Record<MediaDevice, string>>>;
  /** What each device trusts https image servers by. */
  readonly mediaTrust: MediaTrustByDevice;
  readonly led: IndicatorLed;
  readonly assetTag: string;
  readonly bios: Readonly<Record<string, BiosValue>>;
  /** Settings waiting for the next boot; empty when none. */
  readonly pendingBios: Readonly<Record<string, BiosValue>>;
  /** The boot mode a client chose; until one does, the domain's firmware says. */
  readonly bootModeChosen?: BootMode;
  /** A client has set the boot override: the domain's boot order is the emulator's to keep from then on (its own until then). */
  readonly bootOrderSet?: true;
  /** BIOS settings have been applied or reset: the domain's metadata keeps those in effect from then on. */
  readonly biosSet?: true;
  /** SecureBootEnable (what the next boot uses) and what the current boot had. */
  readonly secureBoot: { readonly enabled: boolean; readonly currentBoot: boolean };
  /** The last reset libvirt failed, until a reset succeeds or the machine gets where it was to go. */
  readonly resetFailure?: StandingResetFailure;
  /** Its firmware: the version each component runs, and the updates waiting for a boot. */
  readonly firmware: FirmwareState;
}

/** The boot mode the next boot uses: the one a client chose, or the domain's own firmware. */
export function bootModeOf(state: SystemState): BootMode {
  return state.bootModeChosen ?? (state.domain?.firmware === 'UEFI' ? 'UEFI' : 'Legacy');
}

/**
 * The boot override a PATCH leaves: each property it names, the others as they were. An
 * HttpBootUri belongs to UefiHttp: cleared with null, and dropped when the target changes.
 */
function nextBootOverride(current: BootOverride, command: PatchSystem): BootOverride {
  const target = command.target ?? current.target;
  const uri = command.httpBootUri === undefined ? current.httpBootUri : (command.httpBootUri ?? undefined);
  return {
    target,
    enabled: command.enabled ?? current.enabled,
    ...(target === 'UefiHttp' && uri !== undefined && { httpBootUri: uri }),
  };
}

/** Resets that boot a running machine again without it ever being seen off. */
const RESTARTS: readonly ResetType[] = ['ForceRestart', 'GracefulRestart'];

/**
 * What a boot does: it is recorded (work waiting for a reset, such as OnReset volume requests,
 * starts on it), a one-time override is spent, pending BIOS settings take effect.
 */
function bootEffects(state: SystemState): SystemEvent[] {
  const events: SystemEvent[] = [{ type: 'SystemBooted', data: {} }];
  if (state.bootOverride.enabled === 'Once') events.push({ type: 'BootOverrideConsumed', data: state.bootOverride });
  if (Object.keys(state.pendingBios).length > 0)
    events.push({ type: 'BiosSettingsApplied', data: { attributes: state.pendingBios } });
  if (state.secureBoot.enabled !== state.secureBoot.currentBoot)
    events.push({ type: 'SecureBootApplied', data: { enabled: state.secureBoot.enabled } });
  events.push(...firmwareBootEffects(state.firmware));
  return events;
}

/**
 * The state with this reset failure standing, or none. No key is left holding undefined: the
 * systems projection keeps the state as JSON, and it has to read back as it was.
 */
function withResetFailure(state: SystemState, resetFailure: StandingResetFailure | undefined): SystemState {
  const { resetFailure: _, ...rest } = state;
  return resetFailure ? { ...rest, resetFailure } : rest;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What a request that needs the domain gets while its libvirt daemon does not answer: refused
 * at once, rather than accepted to wait for the host (and hold up the reconciler, which carries
 * out every system's requests in order). Retry after the longest wait between reconnections.
 */
const hostUnreachable = () => problem(503, 'ServiceTemporarilyUnavailable', [5]);
const touchesBoot = (command: PatchSystem) =>
  [command.target, command.enabled, command.mode, command.httpBootUri].some((value) => value !== undefined);

/**
 * One emulated server. Registration comes from the lab config, the rest from what libvirt is
 * observed to hold; each is recorded only when it changes, so a resync every few seconds adds
 * nothing to the log while nothing happens.
 */
export const systemDecider: Decider<SystemCommand, SystemEvent, SystemState> = {
  initialState: {
    offSinceBoot: false,
    domainMissing: false,
    hostUnreachable: false,
    bootOverride: { target: 'None', enabled: 'Disabled' },
    media: {},
    mediaTrust: {},
    led: 'Off',
    assetTag: '',
    bios: BIOS_DEFAULTS,
    pendingBios: {},
    secureBoot: { enabled: false, currentBoot: false },
    firmware: INITIAL_FIRMWARE,
  },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterSystem': {
        const { type: _, ...data } = command;
        return sameJson(state.registration, data) ? [] : [{ type: 'SystemRegistered', data }];
      }
      case 'ObserveDomain': {
        const { type: _, ...data } = command;
        return sameJson(state.domain, data) && !state.domainMissing ? [] : [{ type: 'DomainObserved', data }];
      }
      case 'ObservePowerState': {
        if (state.powerState === command.powerState && !state.domainMissing) return [];
        const observed: SystemEvent = { type: 'PowerStateObserved', data: { powerState: command.powerState } };
        // On after being seen off is a boot, whoever started the machine.
        return state.offSinceBoot && command.powerState === 'On' ? [observed, ...bootEffects(state)] : [observed];
      }
      case 'ObserveDomainMissing':
        return state.domainMissing || !state.registration
          ? []
          : [{ type: 'DomainMissingObserved', data: { domainName: state.registration.domainName } }];
      case 'RecordDomainClaim':
        if (!state.registration) return [];
        return [
          {
            type: 'DomainClaimed',
            data: {
              domainName: state.registration.domainName,
              store: command.store,
              ...(command.previousOwner !== undefined && { previousOwner: command.previousOwner }),
            },
          },
        ];
      case 'ObserveDomainOwnedElsewhere':
        return state.ownedElsewhere === command.owner || !state.registration
          ? []
          : [
              {
                type: 'DomainOwnedElsewhere',
                data: { domainName: state.registration.domainName, owner: command.owner },
              },
            ];
      case 'ObserveHostUnreachable':
        return state.hostUnreachable || !state.registration
          ? []
          : [
              {
                type: 'HostUnreachableObserved',
                data: { libvirtUri: state.registration.libvirtUri, reason: command.reason },
              },
            ];
      case 'ObserveHostReachable':
        return !state.hostUnreachable || !state.registration
          ? []
          : [{ type: 'HostReachableObserved', data: { libvirtUri: state.registration.libvirtUri } }];
      case 'ResetSystem':
        if (state.hostUnreachable) return hostUnreachable();
        // Without its domain (or with another store's) the server cannot be powered: like a BMC whose host is gone.
        if (state.domainMissing || state.ownedElsewhere !== undefined) return problem(409, 'ResourceInUse');
        return [{ type: 'ResetRequested', data: { resetType: command.resetType } }];
      case 'RecordResetOutcome': {
        const { resetType, requestedAt, message } = command;
        if (message !== undefined) return [{ type: 'ResetFailed', data: { resetType, requestedAt, message } }];
        // Starting a machine that was off is seen as Off → On; a restart has to be told apart here.
        const restarted = state.powerState === 'On' && RESTARTS.includes(resetType);
        return [{ type: 'ResetApplied', data: { resetType, requestedAt } }, ...(restarted ? bootEffects(state) : [])];
      }
      case 'SetBiosSettings':
        return [
          { type: 'BiosSettingsRequested', data: { attributes: { ...state.pendingBios, ...command.attributes } } },
        ];
      case 'ResetBios':
        return [{ type: 'BiosReset', data: {} }];
      case 'SetSecureBoot':
        if (command.enabled && bootModeOf(state) !== 'UEFI') {
          return problem(
            400,
            'PropertyValueConflict',
            ['SecureBootEnable', 'BootSourceOverrideMode'],
            ['/SecureBootEnable'],
          );
        }
        return command.enabled === state.secureBoot.enabled
          ? []
          : [{ type: 'SecureBootChanged', data: { enabled: command.enabled } }];
      case 'InsertMedia': {
        if (state.hostUnreachable) return hostUnreachable();
        if (state.domainMissing || state.ownedElsewhere !== undefined) return problem(409, 'ResourceInUse');
        const { type: _, ...data } = command;
        return [{ type: 'VirtualMediaInsertRequested', data }];
      }
      case 'SetMediaVerification': {
        const current = verifiesCertificates(
          state.mediaTrust,
          command.device,
          state.registration?.mediaVerifyCertificate,
        );
        return current === command.verify
          ? []
          : [{ type: 'VirtualMediaVerificationChanged', data: { device: command.device, verify: command.verify } }];
      }
      case 'AddMediaCertificate': {
        const trust = trustOf(state.mediaTrust, command.device);
        if (Object.keys(trust.certificates).length >= MAX_MEDIA_CERTIFICATES)
          return problem(400, 'CreateLimitReachedForResource');
        const certificateId = String(trust.lastCertificateId + 1);
        return [
          { type: 'VirtualMediaCertificateAdded', data: { device: command.device, certificateId, pem: command.pem } },
        ];
      }
      case 'ReplaceMediaCertificate': {
        const current = trustOf(state.mediaTrust, command.device).certificates[command.certificateId];
        if (current === undefined) return problem(404, 'ResourceNotFound', ['Certificate', command.certificateId]);
        const { type: _, ...data } = command;
        return current === command.pem ? [] : [{ type: 'VirtualMediaCertificateReplaced', data }];
      }
      case 'RemoveMediaCertificate': {
        if (trustOf(state.mediaTrust, command.device).certificates[command.certificateId] === undefined) {
          return problem(404, 'ResourceNotFound', ['Certificate', command.certificateId]);
        }
        return [
          {
            type: 'VirtualMediaCertificateRemoved',
            data: { device: command.device, certificateId: command.certificateId },
          },
        ];
      }
      case 'EjectMedia':
        // Ejecting an empty drive changes nothing, as on a real BMC.
        return state.media[command.device] === undefined
          ? []
          : [{ type: 'VirtualMediaEjectRequested', data: { device: command.device } }];
      case 'RecordMediaProgress': {
        // Progress of an image no longer asked for is nobody's news.
        if (state.media[command.device] !== command.image) return [];
        const { type: _, ...data } = command;
        return [{ type: 'VirtualMediaDownloadProgressed', data }];
      }
      case 'RecordMediaOutcome': {
        const { device, image = '', message } = command;
        if (command.action === 'eject') return [{ type: 'VirtualMediaEjected', data: { device } }];
        return message === undefined
          ? [{ type: 'VirtualMediaInserted', data: { device, image } }]
          : [{ type: 'VirtualMediaInsertFailed', data: { device, image, message } }];
      }
      case 'RegisterFirmware':
      case 'RequestFirmwareUpdate':
      case 'RecordFirmwareImage':
        return decideFirmware(command, state.firmware);
      case 'PatchSystem': {
        if (state.hostUnreachable && touchesBoot(command)) return hostUnreachable();
        const modeChanges = command.mode !== undefined && command.mode !== bootModeOf(state);
        // Secure Boot is UEFI's: it has to be turned off before the machine can go back to BIOS.
        if (modeChanges && command.mode === 'Legacy' && state.secureBoot.enabled) {
          return problem(
            400,
            'PropertyValueConflict',
            ['BootSourceOverrideMode', 'SecureBootEnable'],
            ['/Boot/BootSourceOverrideMode'],
          );
        }
        const next = nextBootOverride(state.bootOverride, command);
        if (typeof command.httpBootUri === 'string' && next.target !== 'UefiHttp') {
          return problem(
            400,
            'PropertyValueConflict',
            ['HttpBootUri', 'BootSourceOverrideTarget'],
            ['/Boot/HttpBootUri'],
          );
        }
        // UEFI HTTP boot is the UEFI firmware's: a machine booting BIOS has none.
        if (
          next.target === 'UefiHttp' &&
          next.enabled !== 'Disabled' &&
          (command.mode ?? bootModeOf(state)) !== 'UEFI'
        ) {
          return problem(
            400,
            'PropertyValueConflict',
            ['BootSourceOverrideTarget', 'BootSourceOverrideMode'],
            ['/Boot/BootSourceOverrideTarget'],
          );
        }
        const events: SystemEvent[] = sameJson(next, state.bootOverride)
          ? []
          : [{ type: 'BootOverrideChanged', data: next }];
        if (modeChanges) events.push({ type: 'BootModeChanged', data: { mode: command.mode! } });
        if (command.led !== undefined && command.led !== state.led)
          events.push({ type: 'IndicatorChanged', data: { led: command.led } });
        if (command.assetTag !== undefined && command.assetTag !== state.assetTag)
          events.push({ type: 'AssetTagChanged', data: { assetTag: command.assetTag } });
        return events;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'SystemRegistered':
        return { ...state, registration: event.data };
      case 'DomainObserved':
        return { ...state, domain: event.data, domainMissing: false };
      case 'PowerStateObserved': {
        const { powerState } = event.data;
        const observed = {
          ...state,
          powerState,
          domainMissing: false,
          offSinceBoot: state.offSinceBoot || powerState === 'Off',
        };
        return withResetFailure(observed, stillStanding(state.resetFailure, powerState));
      }
      case 'SystemBooted':
        return withResetFailure({ ...state, offSinceBoot: false }, stillStanding(state.resetFailure, 'Boot'));
      case 'DomainClaimed': {
        const { ownedElsewhere: _, ...rest } = state;
        return rest;
      }
      case 'DomainOwnedElsewhere':
        return { ...state, ownedElsewhere: event.data.owner };
      case 'DomainMissingObserved': {
        // Whatever was known of its power no longer holds: the next observation is news.
        const { powerState: _, ...rest } = state;
        return { ...rest, domainMissing: true };
      }
      case 'HostUnreachableObserved':
        return { ...state, hostUnreachable: true };
      case 'HostReachableObserved':
        return { ...state, hostUnreachable: false };
      case 'BootOverrideChanged':
        return { ...state, bootOverride: event.data, bootOrderSet: true };
      case 'BootOverrideConsumed':
        return { ...state, bootOverride: { ...state.bootOverride, enabled: 'Disabled' } };
      case 'VirtualMediaInsertRequested':
        return { ...state, media: { ...state.media, [event.data.device]: event.data.image } };
      case 'VirtualMediaEjectRequested': {
        // Empty from the moment the eject is accepted, as the next GET shows it.
        const { [event.data.device]: _, ...rest } = state.media;
        return { ...state, media: rest };
      }
      case 'VirtualMediaInsertFailed': {
        // Only the image that failed leaves: one asked for since stays.
        if (state.media[event.data.device] !== event.data.image) return state;
        const { [event.data.device]: _, ...rest } = state.media;
        return { ...state, media: rest };
      }
      case 'VirtualMediaVerificationChanged':
      case 'VirtualMediaCertificateAdded':
      case 'VirtualMediaCertificateRemoved':
      case 'VirtualMediaCertificateReplaced':
        return { ...state, mediaTrust: evolveMediaTrust(state.mediaTrust, event) };
      case 'IndicatorChanged':
        return { ...state, led: event.data.led };
      case 'AssetTagChanged':
        return { ...state, assetTag: event.data.assetTag };
      case 'BiosSettingsRequested':
        return { ...state, pendingBios: event.data.attributes };
      case 'BiosSettingsApplied':
        return { ...state, bios: { ...state.bios, ...event.data.attributes }, pendingBios: {}, biosSet: true };
      case 'BiosReset':
        return { ...state, bios: BIOS_DEFAULTS, pendingBios: {}, biosSet: true };
      case 'BootModeChanged':
        return { ...state, bootModeChosen: event.data.mode };
      case 'SecureBootChanged':
        return { ...state, secureBoot: { ...state.secureBoot, enabled: event.data.enabled } };
      case 'SecureBootApplied':
        return { ...state, secureBoot: { ...state.secureBoot, currentBoot: event.data.enabled } };
      case 'ResetFailed':
        return withResetFailure(state, resetFailureOf(event.data, state.powerState));
      case 'ResetApplied':
        return withResetFailure(state, undefined);
      case 'FirmwareRegistered':
      case 'FirmwareUpdateRequested':
      case 'FirmwareImageStaged':
      case 'FirmwareUpdateFailed':
      case 'FirmwareUpdateApplied':
        return { ...state, firmware: evolveFirmware(state.firmware, event) };
      case 'ResetRequested':
      case 'VirtualMediaInserted':
      case 'VirtualMediaDownloadProgressed':
      case 'VirtualMediaEjected':
        // libvirt's side of a request the state already holds; an insert asked for since stays.
        return state;
      default:
        // A type this code does not know (written by a newer version): nothing to fold.
        return state;
    }
  },
};
