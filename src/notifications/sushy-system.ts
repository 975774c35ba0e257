import type { RecordedEvent } from '../eventstore/event.js';
import { bootModeOf, systemDecider, type SystemState } from '../domain/system/system-decider.js';
import { aimOf } from '../domain/system/reset-failure.js';
import {
  MEDIA_DEVICES,
  type MediaDevice,
  type ResetRequested,
  type ResetType,
  type SystemEvent,
} from '../domain/system/system-events.js';

/**
 * A system as sushy-tools' fake systems driver PUTs it to its EXTERNAL_NOTIFICATION_URL (the
 * driver's own record of the system, as JSON), which Metal3's fake IPA reads: it boots an agent
 * when `pending_power.power_state` is On and `boot_device` is not Hdd, and stops it on anything
 * else; it inspects with the first NIC's `mac` and `ip`. Every key is always sent, with the
 * defaults the driver reads when one was never set (`boot_device` Hdd, `pending_power` null).
 */
export interface SushySystem {
  readonly uuid: string;
  readonly name: string;
  readonly power_state: 'On' | 'Off';
  readonly external_notifier: true;
  readonly nics: readonly { readonly mac: string; readonly ip: string | null }[];
  readonly boot_device: string;
  readonly boot_mode: 'UEFI' | 'Legacy';
  readonly secure_boot: boolean;
  /** Per device: [image, write protected, inserted], as the driver keeps it (an image is its URL here). */
  readonly boot_image: Readonly<Partial<Record<MediaDevice, readonly [string, boolean, boolean]>>>;
  /** A reset asked for and not carried out yet: where the power goes, and when it was asked (Unix seconds). */
  readonly pending_power: { readonly power_state: string; readonly apply_time: number } | null;
}

/** What a system's notifications are made from: its state as the decider folds it, and what that state leaves out. */
export interface NotifiedState {
  readonly system: SystemState;
  readonly pendingPower: SushySystem['pending_power'];
  /** The images attached to their device (VirtualMediaInserted), not only asked for. */
  readonly inserted: Readonly<Partial<Record<MediaDevice, string>>>;
}

export const INITIAL_NOTIFIED: NotifiedState = { system: systemDecider.initialState, pendingPower: null, inserted: {} };

/**
 * Where a reset sends the power, as the fake driver records it: On or Off, the ResetType itself
 * for a restart (so a fake IPA stops its agent, as for a real machine going down), and nothing
 * for an NMI, which changes no power.
 */
function pendingPowerOf(resetType: ResetType, powerState: SystemState['powerState']): string | undefined {
  const aim = aimOf(resetType, powerState);
  return aim === 'Boot' ? resetType : aim;
}

/** The state after one event of the system's stream. Pure. */
export function evolveNotified(state: NotifiedState, event: RecordedEvent): NotifiedState {
  const system = systemDecider.evolve(state.system, { type: event.type, data: event.data } as SystemEvent);
  const next = { ...state, system };
  switch (event.type) {
    case 'ResetRequested': {
      const target = pendingPowerOf((event.data as ResetRequested['data']).resetType, state.system.powerState);
      if (target === undefined) return next;
      return {
        ...next,
        pendingPower: { power_state: target, apply_time: Math.floor(Date.parse(event.recordedAt) / 1000) },
      };
    }
    case 'ResetApplied':
    case 'ResetFailed':
      return { ...next, pendingPower: null };
    case 'VirtualMediaInserted': {
      const { device, image } = event.data as { device: MediaDevice; image: string };
      return { ...next, inserted: { ...state.inserted, [device]: image } };
    }
    case 'VirtualMediaInsertFailed':
    case 'VirtualMediaEjectRequested':
    case 'VirtualMediaEjected': {
      const { [(event.data as { device: MediaDevice }).device]: _, ...rest } = state.inserted;
      return { ...next, inserted: rest };
    }
    default:
      return next;
  }
}

/** The boot device the fake driver would report: the override's target while one is set, else the disk. */
function bootDeviceOf(system: SystemState): string {
  const { target, enabled, httpBootUri } = system.bootOverride;
  if (enabled === 'Disabled' || target === 'None') return 'Hdd';
  // sushy-tools boots UefiHttp from an image as from a CD, and without one over the network.
  if (target === 'UefiHttp') return httpBootUri !== undefined ? 'Cd' : 'Pxe';
  return target;
}

/** The system as sushy-tools sends it, once its domain is known (a UUID to send); undefined before. Pure. */
export function sushySystemOf(state: NotifiedState): SushySystem | undefined {
  const { system } = state;
  if (!system.registration || !system.domain) return undefined;
  const bootImage: Partial<Record<MediaDevice, readonly [string, boolean, boolean]>> = {};
  for (const device of MEDIA_DEVICES) {
    const image = system.media[device];
    if (image !== undefined) bootImage[device] = [image, true, state.inserted[device] === image];
  }
  return {
    uuid: system.domain.uuid,
    name: system.registration.name,
    // A paused machine is On, as the ComputerSystem shows it.
    power_state: system.powerState === undefined || system.powerState === 'Off' ? 'Off' : 'On',
    external_notifier: true,
    nics: system.domain.macAddresses.map((mac) => ({ mac, ip: null })),
    boot_device: bootDeviceOf(system),
    boot_mode: bootModeOf(system),
    secure_boot: system.secureBoot.enabled,
    boot_image: bootImage,
    pending_power: state.pendingPower,
  };
}
