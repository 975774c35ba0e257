import type { Projector } from '../eventstore/projector.js';
import { serviceRootProjector } from './service-root.js';
import { serviceDocumentsProjector } from './service-documents.js';
import { systemsProjector } from './systems.js';
import { systemHardwareProjector } from './system-hardware.js';
import { managerAndChassisProjector } from './manager-and-chassis.js';
import { virtualMediaProjector } from './virtual-media.js';
import { systemBiosProjector } from './system-bios.js';
import { storageProjector } from './storage.js';
import { systemDisksProjector } from './system-disks.js';
import { tasksProjector } from './tasks.js';
import { logServicesProjector } from './log-services.js';
import { secureBootProjector } from './secure-boot.js';
import { biosRegistryFileProjector } from './bios-registry-file.js';
import { eventServiceProjector } from './event-service.js';
import { firmwareInventoryProjector } from './firmware-inventory.js';
import { firmwareTasksProjector } from './firmware-tasks.js';
import { certificatesProjector } from './certificates.js';
import { chassisSensorsProjector } from './chassis-sensors.js';
import { accountServiceProjector } from './account-service.js';
import { mockupProjector } from '../mockup/mockup-projector.js';
import { mockupHistoryProjector } from '../mockup/mockup-history-projector.js';

/** Every projector the live store runs inline, in order. */
export const projectors: readonly Projector[] = [
  serviceRootProjector,
  serviceDocumentsProjector,
  systemsProjector,
  systemHardwareProjector,
  managerAndChassisProjector,
  virtualMediaProjector,
  systemBiosProjector,
  biosRegistryFileProjector,
  secureBootProjector,
  storageProjector,
  systemDisksProjector,
  tasksProjector,
  logServicesProjector,
  eventServiceProjector,
  firmwareInventoryProjector,
  firmwareTasksProjector,
  certificatesProjector,
  chassisSensorsProjector,
  accountServiceProjector,
  mockupProjector,
  mockupHistoryProjector,
];

/**
 * Bump when any projector's output changes for the same events: a store whose views were built
 * by another version is rebuilt at start-up, so views always match the code that serves them.
 */
export const PROJECTION_VERSION = 41;
