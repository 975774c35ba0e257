import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { runCli } from '../support/run-cli.js';

/*
 * History by any resource an event is about, on a log written by release 0.1.0 (before the
 * index of related resources existed): test/fixtures/volume-history-0.1.0.ndjson, recorded by
 * test/fixtures/make-volume-history.ts. A RAID1 volume on drives 0 and 1 is created, renamed,
 * rides out drive 1 failing and being replaced, and is deleted; the CD is asked to insert an
 * image that cannot be fetched.
 */

const fixture = fileURLToPath(new URL('../fixtures/volume-history-0.1.0.ndjson', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rfe-test-history-by-resource-'));
const dataDir = join(dir, 'data');
const STORAGE = '/redfish/v1/Systems/node-1/Storage/RAID-Controller-1';
const VOLUME = `${STORAGE}/Volumes/1`;
const CREATE_TASK = '/redfish/v1/TaskService/Tasks/34d0e9a7f979';

beforeAll(() => {
  const imported = runCli(['import', fixture, '--data-dir', dataDir]);
  expect(imported.code, imported.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const types = (resource: string) => {
  const run = runCli(['history', '--data-dir', dataDir, '--resource', resource, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { type: string }).type);
};

describe('history by resource, on a log written before the index', () => {
  it('lists a volume from its create, through its task outcome and rebuild, to its delete', () => {
    expect(types(VOLUME)).toEqual([
      'VolumeCreateRequested',
      'VolumeOperationCompleted',
      'VolumeRenamed',
      'VolumeRebuildProgressed',
      'VolumeRebuildProgressed',
      'VolumeDeleteRequested',
      'VolumeOperationCompleted',
    ]);
  });

  it('lists a task, a drive and a virtual media device by what their events name', () => {
    expect(types(CREATE_TASK)).toEqual(['VolumeCreateRequested', 'VolumeOperationCompleted']);
    expect(types(`${STORAGE}/Drives/1`)).toEqual([
      'StorageRegistered',
      'VolumeCreateRequested',
      'DriveFailed',
      'DriveReplaced',
    ]);
    expect(types(`${STORAGE}/Drives/3`)).toEqual(['StorageRegistered']);
    expect(types('/redfish/v1/Managers/node-1/VirtualMedia/Cd')).toEqual([
      'VirtualMediaInsertRequested',
      'VirtualMediaInsertFailed',
    ]);
    // Everything of the system is still its own history, each event once.
    expect(types('/redfish/v1/Systems/node-1')).toHaveLength(15);
  });

  it('lists the same through the History API, and keeps up with events appended after the first read', async () => {
    const emulator = await startEmulator(testConfig(dir).config);
    try {
      const apiTypes = async (resource: string) =>
        (
          (await (
            await fetch(`${emulator.url}/emulator/v1/History?resource=${encodeURIComponent(resource)}`)
          ).json()) as { Events: { type: string }[] }
        ).Events.map((e) => e.type);
      expect(await apiTypes(VOLUME)).toEqual(types(VOLUME));
      emulator.store.append({
        streamId: STORAGE,
        expectedVersion: 'any',
        events: [{ type: 'VolumeBackingLost', data: { volumeId: '1', reason: 'gone' } }],
        meta: { actor: 'reconciler' },
      });
      expect((await apiTypes(VOLUME)).at(-1)).toBe('VolumeBackingLost');
      expect(await apiTypes(`${STORAGE}/Volumes/2`)).toEqual([]);
      // A long stretch to index is done in several batches, every event counted once.
      emulator.store.append({
        streamId: STORAGE,
        expectedVersion: 'any',
        events: Array.from({ length: 4500 }, (_, i) => ({
          type: 'VolumeRenamed',
          data: { volumeId: '2', name: `v${i}` },
        })),
        meta: { actor: 'user:admin' },
      });
      const page = (await (
        await fetch(
          `${emulator.url}/emulator/v1/History?resource=${encodeURIComponent(`${STORAGE}/Volumes/2`)}&limit=1000`,
        )
      ).json()) as { Events: unknown[]; Next: string };
      expect(page.Events).toHaveLength(1000);
      const counted = runCli([
        'history',
        '--data-dir',
        dataDir,
        '--resource',
        `${STORAGE}/Volumes/2`,
        '--limit',
        '1',
        '--json',
      ]);
      expect(JSON.parse(counted.stdout.trim().split('\n')[1]!)).toMatchObject({ more: 4499 });
    } finally {
      await emulator.close();
    }
  });
});
