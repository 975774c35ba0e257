import { DomainPausedReason, DomainState } from '../libvirt/constants.js';
import type { DomainStateInfo } from '../libvirt/client.js';
import type { PowerState } from '../domain/system/system-events.js';

/**
 * libvirt's domain state as the power state a BMC reports. A shutdown in progress is still on,
 * and so is a machine QEMU is still starting (it starts paused, then runs it).
 */
export function powerStateOf(info: Pick<DomainStateInfo, 'state' | 'reason'>): PowerState {
  switch (info.state) {
    case DomainState.Running:
    case DomainState.Blocked:
    case DomainState.Shutdown:
      return 'On';
    case DomainState.Paused:
      return isSettling(info) ? 'On' : 'Paused';
    case DomainState.PmSuspended:
      return 'Paused';
    default:
      return 'Off';
  }
}

/**
 * Whether the domain is between states, so that what it is about to become is worth waiting for:
 * QEMU has the machine but has not run it yet. libvirt sends a lifecycle event when it does.
 */
export function isSettling(info: Pick<DomainStateInfo, 'state' | 'reason'>): boolean {
  return info.state === DomainState.Paused && info.reason === DomainPausedReason.StartingUp;
}
