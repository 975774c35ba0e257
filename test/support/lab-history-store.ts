import { openEventStore } from '../../src/views/open-store.js';
import { PROJECTION_VERSION } from '../../src/projections/catalog.js';
import { LabHistory } from './lab-history.js';

/**
 * Writes a store of about `events` events of a realistic lab history (lab-history.ts) at
 * `file`, quickly: appended in batches without the inline projection (its views are empty; a
 * `rebuild` makes them). For tests and measurements that need a long log.
 */
export function writeLabHistoryStore(file: string, events: number, systems = 4): number {
  const history = new LabHistory({ systems, seed: 11 });
  let tick = 0;
  const clock = () => new Date(Date.UTC(2026, 0, 1) + (tick += 250));
  const { store } = openEventStore({ file, projectors: [], projectionVersion: PROJECTION_VERSION, clock });
  try {
    while (store.lastPosition() < events) store.appendAll(Array.from({ length: 500 }, () => history.next()));
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    return store.lastPosition();
  } finally {
    store.db.close();
  }
}
