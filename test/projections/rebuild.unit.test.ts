import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { rebuildViews } from '../../src/views/rebuild.js';
import { projectors } from '../../src/projections/catalog.js';
import type { SqliteDatabase } from '../../src/eventstore/database.js';
import { appendSampleHistory, sampleProjector } from '../support/sample-projector.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

function dumpViews(db: SqliteDatabase): string {
  return JSON.stringify(db.prepare('SELECT odata_id, body, position FROM views ORDER BY odata_id').all());
}

describe('rebuildViews', () => {
  it('drops the views and replays the log from position 0 to the same bytes', () => {
    let tick = 0;
    const clock = () => new Date(Date.UTC(2026, 0, 1) + (tick += 1) * 1000);
    const { store } = openEventStore({
      file: join(tempDir(), 'events.db'),
      projectors: [...projectors, sampleProjector],
      projectionVersion: 1,
      clock,
    });
    store.append({
      streamId: '/redfish/v1',
      expectedVersion: 0,
      events: [
        {
          type: 'ServiceCreated',
          data: {
            uuid: '8a5c2f1e-0000-4000-8000-000000000001',
            name: 'Emulated BMC',
            product: 'p',
            redfishVersion: '1.20.0',
          },
        },
      ],
    });
    appendSampleHistory(store, 12, 20);
    const live = dumpViews(store.db);
    expect(JSON.parse(live).length).toBeGreaterThan(8);

    store.db.prepare("UPDATE views SET body = '{}' WHERE odata_id = '/redfish/v1'").run();
    store.db.prepare("INSERT INTO views VALUES ('/redfish/v1/Stale', '{}', 1)").run();
    const result = rebuildViews(store.db, [...projectors, sampleProjector]);

    expect(result.events).toBe(store.lastPosition());
    expect(dumpViews(store.db)).toBe(live);
  });
});
