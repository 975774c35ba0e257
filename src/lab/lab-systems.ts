import type { EmulatorConfig, SystemConfig } from '../config/config.js';

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
  readonly config: SystemConfig;
}

export function labSystems(config: EmulatorConfig): LabSystem[] {
  const verify = config.lab.virtualMedia?.verifyCertificate;
  return config.lab.systems.map((system) => ({
    id: system.id,
    name: system.name ?? system.id,
    libvirtUri: system.libvirtUri ?? config.libvirt.uri,
    domainName: system.domain,
    vcpus: system.vcpus ?? 1,
    memoryMiB: system.memoryMiB ?? 128,
    firmware: system.firmware ?? 'BIOS',
    ...(verify !== undefined && { mediaVerifyCertificate: verify }),
    config: system,
  }));
}
