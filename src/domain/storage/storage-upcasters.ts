import type { Upcaster } from '../../eventstore/upcasters.js';
import { legacyBackingVolumeName } from './backing-volume-name.js';
import { streamOwner } from '../stream-ids.js';

/**
 * VolumeCreateRequested 1 → 2: version 2 names the volume's backing volume. A volume asked for
 * before names carried the store has the name it was made with then, from its stream's ids.
 */
const volumeBackingNamed: Upcaster = {
  type: 'VolumeCreateRequested',
  fromVersion: 1,
  upcast(data, event) {
    const owner = streamOwner(event.streamId);
    if (owner?.storageId === undefined)
      throw new Error(
        `VolumeCreateRequested at position ${event.position} is on ${event.streamId}, not on a storage stream`,
      );
    const volume = data as { volumeId: string };
    return { ...volume, backingVolume: legacyBackingVolumeName(owner.systemId, owner.storageId, volume.volumeId) };
  },
};

export const STORAGE_UPCASTERS: readonly Upcaster[] = [volumeBackingNamed];
