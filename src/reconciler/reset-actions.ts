import type { Hypervisor } from '../libvirt/hypervisor.js';
import type { DomainHandle } from '../libvirt/structs.js';
import type { ResetType } from '../domain/system/system-events.js';
import { powerStateOf } from './power-state.js';

/**
 * What each ResetType does to a libvirt domain in each power state, as a real server's BMC would:
 * a request that makes no sense in the current state (ForceOff of a server that is off) is done
 * by doing nothing, as BMCs do.
 */
export async function applyReset(client: Hypervisor, domain: DomainHandle, resetType: ResetType): Promise<void> {
  const power = powerStateOf(await client.domainGetState(domain));
  const start = async () => {
    if (power === 'Off') await client.domainCreate(domain);
    if (power === 'Paused') await client.domainResume(domain);
  };
  switch (resetType) {
    case 'On':
    case 'ForceOn':
      return start();
    case 'ForceOff':
      if (power !== 'Off') await client.domainDestroy(domain);
      return;
    case 'GracefulShutdown':
      if (power !== 'Off') await client.domainShutdown(domain);
      return;
    case 'GracefulRestart':
      if (power === 'Off') return start();
      return client.domainReboot(domain);
    case 'ForceRestart':
      if (power === 'Off') return start();
      return client.domainReset(domain);
    case 'Nmi':
      if (power !== 'Off') await client.domainInjectNmi(domain);
      return;
    case 'PushPowerButton':
      if (power === 'Off') return start();
      return client.domainShutdown(domain);
  }
}
