import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { exportLog, importLog, LogFileError } from '../../src/eventstore/log-file.js';
import { viewsOfImportedLog } from '../../src/views/rebuild.js';
import type { SqliteDatabase } from '../../src/eventstore/database.js';
import { appendSampleHistory, sampleProjector } from '../support/sample-projector.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const projectors = [sampleProjector];

function table(db: SqliteDatabase, name: 'events' | 'views'): string {
  return JSON.stringify(
    db.prepare(`SELECT * FROM ${name} ORDER BY ${name === 'events' ? 'position' : 'odata_id'}`).all(),
  );
}

function sourceStore() {
  const dir = tempDir();
  const { store } = openEventStore({ file: join(dir, 'source.db'), projectors, projectionVersion: 1 });
  appendSampleHistory(store, 5, 7);
  return { store, dir };
}

function freshStore(dir: string) {
  return openEventStore({ file: join(dir, `fresh-${Math.random()}.db`), projectors, projectionVersion: 1 }).store;
}

describe('export and import', () => {
  it('export → import into a fresh file gives the same log and views', async () => {
    const { store, dir } = sourceStore();
    const file = join(dir, 'log.ndjson');
    const header = await exportLog(store.db, file);
    expect(header).toMatchObject({ fromPosition: 1, toPosition: store.lastPosition(), count: store.lastPosition() });

    const target = freshStore(dir);
    await importLog(target.db, file, viewsOfImportedLog(target.db, projectors));
    expect(table(target.db, 'events')).toBe(table(store.db, 'events'));
    expect(table(target.db, 'views')).toBe(table(store.db, 'views'));
    // The imported store goes on where the source stopped.
    const next = target.append({
      streamId: '/samples/1',
      expectedVersion: store.streamVersion('/samples/1'),
      events: [{ type: 'SampleChanged', data: {} }],
    });
    expect(next.firstPosition).toBe(store.lastPosition() + 1);
  });

  it.each([
    ['truncated', (lines: string[]) => lines.slice(0, -3)],
    ['reordered', (lines: string[]) => [lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)]],
    [
      'a stream version edited',
      (lines: string[]) => lines.map((l, i) => (i === 4 ? l.replace(/"streamVersion":\d+/, '"streamVersion":99') : l)),
    ],
    [
      'a newer schema',
      (lines: string[]) => [lines[0]!.replace(/"schemaVersion":\d+/, '"schemaVersion":999'), ...lines.slice(1)],
    ],
    ['no header', (lines: string[]) => lines.slice(1)],
    ['a line that is not JSON', (lines: string[]) => [...lines.slice(0, 5), '{"position": 5,', ...lines.slice(6)]],
  ])('refuses a log with %s and writes nothing', async (_what, edit) => {
    const { store, dir } = sourceStore();
    const file = join(dir, 'log.ndjson');
    await exportLog(store.db, file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, `${edit(lines).join('\n')}\n`);

    const target = freshStore(dir);
    await expect(importLog(target.db, file, viewsOfImportedLog(target.db, projectors))).rejects.toThrow(LogFileError);
    expect(target.lastPosition()).toBe(0);
    expect(table(target.db, 'views')).toBe('[]');
  });

  it('refuses to import into a store that already has events', async () => {
    const { store, dir } = sourceStore();
    const file = join(dir, 'log.ndjson');
    await exportLog(store.db, file);
    await expect(importLog(store.db, file, viewsOfImportedLog(store.db, projectors))).rejects.toThrow(
      /already has events/,
    );
  });
});
