import { describe, expect, it } from 'vitest';
import { isStorageStream, isSystemStream, streamOwner, systemIdOfStream } from '../../src/domain/stream-ids.js';
import { storageStream } from '../../src/domain/storage/storage-events.js';
import { systemStream } from '../../src/domain/system/system-events.js';

describe('stream ids', () => {
  it('reads back the system and storage a stream was named for', () => {
    expect(streamOwner(systemStream('node-1'))).toEqual({ systemId: 'node-1' });
    expect(streamOwner(storageStream('node-1', 'RAID.1'))).toEqual({ systemId: 'node-1', storageId: 'RAID.1' });
    expect(systemIdOfStream(systemStream('node-1'))).toBe('node-1');
    expect(systemIdOfStream(storageStream('node-1', 'RAID.1'))).toBeUndefined();
    expect([isSystemStream(systemStream('a')), isStorageStream(systemStream('a'))]).toEqual([true, false]);
    expect([isSystemStream(storageStream('a', 'b')), isStorageStream(storageStream('a', 'b'))]).toEqual([false, true]);
  });

  it('names no owner for the service, its own services, or a resource under a system', () => {
    for (const id of [
      '/redfish/v1',
      '/redfish/v1/EventService',
      '/redfish/v1/Systems',
      '/redfish/v1/Systems/a/Bios',
      '/redfish/v1/Systems/a/Storage/b/Volumes/1',
    ]) {
      expect(streamOwner(id), id).toBeUndefined();
    }
  });
});
