import type { EmulatorConfig, StorageConfig } from '../config/config.js';
import type { StorageRegistered } from '../domain/storage/storage-events.js';
import type { LabSystem } from './lab-systems.js';

/** How long a degraded volume takes to rebuild onto a replaced drive, as configured. */
export const rebuildSecondsOf = (config: EmulatorConfig): number => config.lab.rebuildSeconds ?? 30;

const DEFAULT_RAID_TYPES = ['None', 'RAID0', 'RAID1', 'RAID5', 'RAID6', 'RAID10', 'RAID50', 'RAID60'] as const;

/** A configured storage subsystem with its defaults filled in, as it is recorded. */
export function storageRegistration(system: LabSystem, storage: StorageConfig): StorageRegistered['data'] {
  const controller = storage.controller ?? {};
  return {
    systemId: system.id,
    storageId: storage.id,
    name: storage.name ?? storage.id,
    controller: {
      model: controller.model ?? 'Emulated RAID controller',
      manufacturer: controller.manufacturer ?? 'redfish-emulator',
      firmwareVersion: controller.firmwareVersion ?? '1.0.0',
      speedGbps: controller.speedGbps ?? 12,
      supportedRaidTypes: [...(controller.supportedRaidTypes ?? DEFAULT_RAID_TYPES)],
      protocols: [...(controller.protocols ?? [...new Set(storage.drives.map((d) => d.protocol))])],
    },
    drives: storage.drives.map((drive) => ({
      id: drive.id,
      name: drive.name ?? `Drive ${drive.id}`,
      capacityBytes: drive.capacityBytes,
      mediaType: drive.mediaType,
      protocol: drive.protocol,
      blockSizeBytes: drive.blockSizeBytes ?? 512,
      manufacturer: drive.manufacturer ?? 'redfish-emulator',
      model: drive.model ?? `Emulated ${drive.protocol} ${drive.mediaType}`,
      serialNumber: drive.serialNumber ?? `EMU-${system.id}-${storage.id}-${drive.id}`,
      revision: drive.revision ?? '1.0',
      ...(drive.rotationSpeedRPM !== undefined && { rotationSpeedRPM: drive.rotationSpeedRPM }),
    })),
  };
}
