import { join } from 'node:path';
import type { EmulatorConfig } from '../config/config.js';
import { LibvirtConnections } from '../libvirt/connections.js';
import type { SimulatedHypervisor } from '../libvirt/simulated-hypervisor.js';
import { labSystems, type LabSystem } from './lab-systems.js';

/** The file the simulated host keeps its machines in, beside the store: a restart finds them as they were. */
export const simulatedStateFile = (config: EmulatorConfig) => join(config.dataDir, 'simulated-host.json');

/**
 * The lab's hosts: a libvirt client per URI, and the simulated host of its simulated systems,
 * each power change taking the time its system's section gives (a random pick in its range).
 */
export function labConnections(
  config: EmulatorConfig,
  systems: readonly LabSystem[] = labSystems(config),
  options: { host?: SimulatedHypervisor; random?: () => number } = {},
): LibvirtConnections {
  const random = options.random ?? Math.random;
  const power = new Map(systems.flatMap((s) => (s.powerSeconds ? [[s.domainName, s.powerSeconds] as const] : [])));
  return new LibvirtConnections(
    { callTimeoutMs: 60_000 },
    {
      stateFile: simulatedStateFile(config),
      powerDelayMs: (domainName) => {
        const range = power.get(domainName);
        return range ? Math.round(1000 * (range.min + random() * (range.max - range.min))) : 0;
      },
      ...(options.host && { host: options.host }),
    },
  );
}
