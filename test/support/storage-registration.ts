import type { SupportedRaidType } from '../../src/domain/storage/raid/raid-levels.js';
import type { RegisterStorage } from '../../src/domain/storage/storage-decider.js';

const GiB = 1024 ** 3;

/**
 * The RegisterStorage command of a test controller: `driveCount` 1 GiB SAS HDDs with ids 0, 1…
 * (serial numbers S0, S1…), able to lay out `raidTypes`.
 */
export function registerStorage(
  systemId: string,
  storageId: string,
  driveCount: number,
  raidTypes: readonly SupportedRaidType[] = ['RAID0', 'RAID1', 'RAID5'],
): RegisterStorage {
  return {
    type: 'RegisterStorage',
    systemId,
    storageId,
    name: storageId,
    controller: {
      model: 'c',
      manufacturer: 'm',
      firmwareVersion: '1',
      speedGbps: 12,
      supportedRaidTypes: raidTypes,
      protocols: ['SAS'],
    },
    drives: Array.from({ length: driveCount }, (_, i) => ({
      id: String(i),
      name: `Drive ${i}`,
      capacityBytes: GiB,
      mediaType: 'HDD' as const,
      protocol: 'SAS' as const,
      blockSizeBytes: 512,
      manufacturer: 'm',
      model: 'x',
      serialNumber: `S${i}`,
      revision: '1',
    })),
  };
}
