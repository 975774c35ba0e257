import { describe, expect, it } from 'vitest';
import {
  backingVolumeName,
  backingVolumeOwner,
  legacyBackingVolumeName,
  storeTagOf,
} from '../../src/domain/storage/backing-volume-name.js';
import { storageDecider, type StorageState } from '../../src/domain/storage/storage-decider.js';
import { EVENT_UPCASTERS } from '../../src/eventstore/upcasters.js';
import type { RecordedEvent } from '../../src/eventstore/event.js';
import { storageStream } from '../../src/domain/storage/storage-events.js';

/*
 * Backing-volume names carry the store, so two stores on one pool never name two volumes alike,
 * and volumes asked for before keep the names they were made with.
 */

const MiB = 1024 * 1024;
const registered = storageDecider.evolve(storageDecider.initialState, {
  type: 'StorageRegistered',
  data: {
    systemId: 's1',
    storageId: 'RAID',
    name: 'RAID',
    controller: {
      model: 'm',
      manufacturer: 'x',
      firmwareVersion: '1',
      speedGbps: 12,
      supportedRaidTypes: ['RAID0', 'RAID1'],
      protocols: ['SAS'],
    },
    drives: ['0', '1'].map((id) => ({
      id,
      name: id,
      capacityBytes: 1024 * MiB,
      mediaType: 'HDD' as const,
      protocol: 'SAS' as const,
      blockSizeBytes: 512,
      manufacturer: 'x',
      model: 'm',
      serialNumber: id,
      revision: '1',
    })),
  },
});
const request = (drive: string) => ({
  raidType: 'RAID0' as const,
  drives: [`${storageStream('s1', 'RAID')}/Drives/${drive}`],
});

function created(state: StorageState, storeTag?: string, drive = '0') {
  const events = storageDecider.decide(
    {
      type: 'CreateVolume',
      taskId: 't',
      applyTime: 'Immediate',
      request: request(drive),
      ...(storeTag !== undefined && { storeTag }),
    },
    state,
  );
  if (!Array.isArray(events) || events[0]?.type !== 'VolumeCreateRequested') throw new Error(JSON.stringify(events));
  return events[0];
}

describe('backing-volume names', () => {
  it('carry the store tag: two stores never name their Volume 1 alike', () => {
    const first = created(registered, storeTagOf('0f3a9c1e-aaaa-4bbb-8ccc-dddddddddddd'));
    const second = created(registered, storeTagOf('7b21d004-aaaa-4bbb-8ccc-dddddddddddd'));
    expect(first.data.backingVolume).toBe('rfe-s1-RAID-0f3a9c1e-vol1.qcow2');
    expect(second.data.backingVolume).toBe('rfe-s1-RAID-7b21d004-vol1.qcow2');
    expect(backingVolumeOwner(first.data.backingVolume, 's1', 'RAID')).toEqual({ tag: '0f3a9c1e', volumeId: '1' });
  });

  it('are those of before for a command recorded without a tag (a replay of an older log)', () => {
    expect(created(registered).data.backingVolume).toBe('rfe-s1-RAID-vol1.qcow2');
    expect(backingVolumeOwner('rfe-s1-RAID-vol1.qcow2', 's1', 'RAID')).toEqual({ tag: 'legacy', volumeId: '1' });
    expect(backingVolumeOwner('rfe-s1-RAID-root.qcow2', 's1', 'RAID')).toBeUndefined();
  });

  it('of a volume asked for before they carried the store are the names it was made with (upcast)', () => {
    const stored = created(registered, 'abcdef01');
    const { backingVolume: _, ...v1 } = stored.data;
    const event: RecordedEvent = {
      position: 7,
      streamId: storageStream('s1', 'RAID'),
      streamVersion: 2,
      subject: storageStream('s1', 'RAID'),
      type: 'VolumeCreateRequested',
      data: v1,
      meta: {},
      recordedAt: '2026-01-01T00:00:00.000Z',
    };
    const upcast = EVENT_UPCASTERS.upcast(event);
    expect((upcast.data as { backingVolume: string }).backingVolume).toBe(legacyBackingVolumeName('s1', 'RAID', '1'));
    // The store remembers which of its volumes have names without a tag: only those are its to sweep.
    const state = storageDecider.evolve(registered, upcast as never);
    expect(state.legacyNamedVolumes).toBe(1);
    const next = storageDecider.evolve(state, created(state, 'abcdef01', '1'));
    expect(next.volumes['2']!.backingVolume).toBe(backingVolumeName('s1', 'RAID', 'abcdef01', '2'));
    expect(next.legacyNamedVolumes).toBe(1);
  });
});
