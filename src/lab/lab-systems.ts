import type { EmulatorConfig, NetworkConfig, SimulatedSectionConfig, SystemConfig } from '../config/config.js';
import type { SystemInventory } from '../domain/system/system-events.js';
import { simulatedSystemConfigs } from '../config/simulated-sections.js';
import { SIMULATED_URI } from '../libvirt/simulated-hypervisor.js';

/** A configured system with its defaults filled in: what the lab code works from. */
export interface LabSystem {
  readonly id: string;
  readonly name: string;
  readonly libvirtUri: string;
  readonly domainName: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly firmware: 'BIOS' | 'UEFI';
  /** The lab's VerifyCertificate default for virtual media, when the config sets one. */
  readonly mediaVerifyCertificate?: boolean;
  /** The root disk made with the domain when the emulator defines it, in GiB; 0 for none. */
  readonly rootDiskGiB: number;
  /** What the NIC of a domain the emulator defines is plugged into. */
  readonly network: NetworkConfig;
  readonly inventory: SystemInventory;
  readonly config: SystemConfig;
  /** The UUID of the domain the emulator defines for it; a random one when absent. */
  readonly uuid?: string;
  /** The MACs of the NICs of the domain the emulator defines for it; one derived from its id when absent. */
  readonly macs?: readonly string[];
  /** What an inserted virtual media image does: fetched into the pool (the default), or only recorded. */
  readonly virtualMedia?: 'fetch' | 'record';
  /** A simulated system's power changes take this long, in seconds, picked at random in the range. */
  readonly powerSeconds?: { readonly min: number; readonly max: number };
  /** The simulated section it was made from, with the section's other systems, alike but for their index. */
  readonly section?: SimulatedSectionConfig;
}

/** The domain a system is on, as one key: work on one domain is done one change at a time. */
export const domainKeyOf = (system: LabSystem): string => `${system.libvirtUri} ${system.domainName}`;

/**
 * What a domain defined for the lab gets when its system does not say: the smallest machine.
 * The demo lab (config/default.json) asks for what Ironic needs: 1 GiB and a root disk.
 */
export const LAB_DEFAULTS = {
  vcpus: 1,
  memoryMiB: 128,
  firmware: 'BIOS',
  rootDiskGiB: 0,
  network: { type: 'user' },
} as const;

/** The ComputerSystem's Manufacturer, Model, SerialNumber and SKU: as configured, else the emulator's. */
export function inventoryOf(system: SystemConfig): SystemInventory {
  return {
    manufacturer: system.manufacturer ?? 'redfish-emulator',
    model: system.model ?? 'Emulated libvirt system',
    serialNumber: system.serialNumber ?? `EMU-${system.id}`,
    sku: system.sku ?? 'EMU-SYSTEM',
  };
}

/**
 * A system the emulator did not define (adopted, or remembered from an adoption): read from its
 * domain, with no root disk or network of the emulator's making.
 */
export function existingDomainSystem(system: Omit<LabSystem, 'rootDiskGiB' | 'network' | 'inventory'>): LabSystem {
  return { ...system, rootDiskGiB: 0, network: LAB_DEFAULTS.network, inventory: inventoryOf(system.config) };
}

/** The lab's systems: those configured one by one, then the simulated sections' (see simulated-sections.ts). */
export function labSystems(config: EmulatorConfig): LabSystem[] {
  // A mockup lab is the tree it was made from: it has no libvirt machines, whatever lab.systems says.
  if (config.lab.mockup) return [];
  const sections = config.lab.simulated ?? [];
  const simulated = simulatedSystemConfigs(sections).map(
    ({ system, uuid, macs, powerSeconds, virtualMedia, section }) => ({
      ...configuredSystem(config, { ...system, libvirtUri: SIMULATED_URI }),
      uuid,
      macs,
      powerSeconds,
      virtualMedia,
      section: sections[section]!,
    }),
  );
  return [...config.lab.systems.map((system) => configuredSystem(config, system)), ...simulated];
}

function configuredSystem(config: EmulatorConfig, system: SystemConfig): LabSystem {
  const verify = config.lab.virtualMedia?.verifyCertificate;
  return {
    id: system.id,
    name: system.name ?? system.id,
    libvirtUri: system.libvirtUri ?? config.libvirt.uri,
    domainName: system.domain,
    vcpus: system.vcpus ?? LAB_DEFAULTS.vcpus,
    memoryMiB: system.memoryMiB ?? LAB_DEFAULTS.memoryMiB,
    firmware: system.firmware ?? LAB_DEFAULTS.firmware,
    rootDiskGiB: system.rootDiskGiB ?? LAB_DEFAULTS.rootDiskGiB,
    network: system.network ?? config.lab.network ?? LAB_DEFAULTS.network,
    inventory: inventoryOf(system),
    ...(verify !== undefined && { mediaVerifyCertificate: verify }),
    config: system,
  };
}
