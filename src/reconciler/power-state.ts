import { DomainState } from '../libvirt/constants.js';
import type { PowerState } from '../domain/system/system-events.js';

/** libvirt's domain state as the power state a BMC reports. A shutdown in progress is still on. */
export function powerStateOf(domainState: number): PowerState {
  switch (domainState) {
    case DomainState.Running:
    case DomainState.Blocked:
    case DomainState.Shutdown:
      return 'On';
    case DomainState.Paused:
    case DomainState.PmSuspended:
      return 'Paused';
    default:
      return 'Off';
  }
}
