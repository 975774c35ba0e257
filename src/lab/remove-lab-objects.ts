import type { Hypervisor } from '../libvirt/hypervisor.js';
import { DomainUndefineFlag } from '../libvirt/constants.js';
import { LibvirtError } from '../libvirt/errors.js';

/** Runs a clean-up step, taking "it is already gone" (any libvirt refusal) as done, so one missing object does not keep the rest. */
async function quietly(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!(err instanceof LibvirtError)) throw err;
  }
}

/** Stops and undefines a domain by name, with its NVRAM where the driver keeps one; nothing when there is no such domain. */
export async function removeDomainByName(client: Hypervisor, name: string): Promise<void> {
  const domain = await client.domainLookupByName(name).catch(() => undefined);
  if (!domain) return;
  await quietly(() => client.domainDestroy(domain));
  // Drivers without NVRAM (test:///default) refuse the flag: undefine without it then.
  await client
    .domainUndefine(domain, DomainUndefineFlag.Nvram)
    .catch(() => quietly(() => client.domainUndefine(domain)));
}

/** Deletes every volume of a pool, then stops and undefines it; nothing when there is no such pool. Its directory stays. */
export async function removePoolByName(client: Hypervisor, name: string): Promise<void> {
  const pool = await client.poolLookupByName(name).catch(() => undefined);
  if (!pool) return;
  for (const volume of await client.poolListVolumes(pool).catch(() => []))
    await quietly(() => client.volumeDelete(volume));
  await quietly(() => client.poolDestroy(pool));
  await quietly(() => client.poolUndefine(pool));
}
