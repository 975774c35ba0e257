import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { catchUpResourceIndex } from '../../src/eventstore/resource-index.js';
import { useTempDirs } from '../support/temp-dir.js';

/* The index of related resources: caught up from where it stopped, made again when its rules change. */

const tempDir = useTempDirs();

describe('catchUpResourceIndex', () => {
  it('indexes what was appended since, and everything again under other rules', async () => {
    const { store } = openEventStore({ file: join(tempDir(), 'events.db'), projectors: [], projectionVersion: 1 });
    const append = (n: number) =>
      store.append({
        streamId: '/s',
        expectedVersion: 'any',
        events: Array.from({ length: n }, (_, i) => ({ type: 'Sampled', data: { i } })),
      });
    const rows = () =>
      store.db.prepare('SELECT resource, position FROM event_resources ORDER BY position, resource').all() as {
        resource: string;
        position: number;
      }[];
    const byRule = (prefix: string) => (event: { position: number; streamId: string }) => [
      `${prefix}/${event.position % 2}`,
      event.streamId,
    ];
    let calls = 0;
    const counted = (prefix: string) => (event: { position: number; streamId: string }) => {
      calls += 1;
      return byRule(prefix)(event);
    };

    append(3);
    await catchUpResourceIndex(store.db, counted('/a'), 1, store.upcasters);
    // The stream itself is found without the index.
    expect(rows()).toEqual([
      { resource: '/a/1', position: 1 },
      { resource: '/a/0', position: 2 },
      { resource: '/a/1', position: 3 },
    ]);
    append(4500);
    calls = 0;
    await catchUpResourceIndex(store.db, counted('/a'), 1, store.upcasters);
    expect(calls).toBe(4500);
    expect(rows()).toHaveLength(4503);
    await catchUpResourceIndex(store.db, counted('/b'), 2, store.upcasters);
    expect(new Set(rows().map((r) => r.resource))).toEqual(new Set(['/b/0', '/b/1']));
    expect(rows()).toHaveLength(4503);
    store.db.close();
  });
});
