import type { FirmwareComponent } from '../domain/firmware/firmware-events.js';
import { driveUri, storageStream } from '../domain/storage/storage-events.js';
import { systemStream } from '../domain/system/system-events.js';
import { managerOf } from '../projections/manager-and-chassis.js';
import { firmwareItemUri } from '../projections/firmware-inventory.js';
import type { LabSystem } from './lab-systems.js';
import { storageRegistration } from './lab-storage.js';

const DEFAULT_VERSION = '1.0.0';

/**
 * A system's firmware as its config gives it: the BIOS, the BMC, and for each emulated storage
 * controller the controller's and each drive's (their versions as the storage registration
 * fills them in, so Storage and the inventory start from the same values).
 */
export function firmwareComponents(system: LabSystem): FirmwareComponent[] {
  const component = (
    suffix: string,
    kind: FirmwareComponent['kind'],
    name: string,
    version: string,
    about: string,
    aliases: readonly string[] = [],
  ): FirmwareComponent => {
    const id = `${system.id}-${suffix}`;
    return { id, kind, name, version, about, addresses: [firmwareItemUri(id), about, ...aliases] };
  };
  const system_ = systemStream(system.id);
  const components = [
    component('BIOS', 'BIOS', `${system.name} BIOS`, system.config.biosVersion ?? DEFAULT_VERSION, system_, [
      `${system_}/Bios`,
    ]),
    component(
      'BMC',
      'BMC',
      `${system.name} BMC firmware`,
      system.config.bmcFirmwareVersion ?? DEFAULT_VERSION,
      managerOf(system.id),
    ),
  ];
  for (const storage of system.config.storage ?? []) {
    const registration = storageRegistration(system, storage);
    const stream = storageStream(system.id, storage.id);
    components.push(
      component(
        storage.id,
        'StorageController',
        `${registration.controller.model} firmware`,
        registration.controller.firmwareVersion,
        `${stream}/Controllers/0`,
        [stream, `${stream}#/StorageControllers/0`],
      ),
      ...registration.drives.map((drive) =>
        component(
          `${storage.id}-Drive-${drive.id}`,
          'Drive',
          `${drive.name} firmware (${storage.id})`,
          drive.revision,
          driveUri(system.id, storage.id, drive.id),
        ),
      ),
    );
  }
  return components;
}
