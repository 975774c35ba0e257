import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { PROJECTION_VERSION, projectors } from '../../src/projections/catalog.js';
import { TimeTravel } from '../../src/views/time-travel.js';
import { ReplayViews } from '../../src/views/replay-views.js';
import { MemoryViews } from '../../src/views/memory-views.js';
import {
  ASSEMBLED_COLLECTIONS,
  assembleCollection,
  assembledCollection,
  deleteMemberPart,
  memberIdsOf,
  memberPartId,
  putMemberPart,
  withCollectionsAssembled,
} from '../../src/views/assembled-collections.js';
import type { StoredView } from '../../src/eventstore/projector.js';
import { LabHistory } from '../support/lab-history.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const SYSTEMS = '/redfish/v1/Systems';
const members = (view: StoredView | undefined) =>
  (JSON.parse(view!.body) as { Members: { '@odata.id': string }[] }).Members.map((m) => m['@odata.id']);

/** A live store with the catalog's projectors, filled with a lab history of `systems` systems. */
function labStore(systems: number, events: number) {
  let tick = 0;
  const clock = () => new Date(Date.UTC(2026, 0, 1) + (tick += 1) * 1000);
  const { store } = openEventStore({
    file: join(tempDir(), 'events.db'),
    projectors,
    projectionVersion: PROJECTION_VERSION,
    clock,
  });
  const history = new LabHistory({ systems, seed: 3 });
  const served = new Map<number, Map<string, StoredView | undefined>>();
  while (store.lastPosition() < events) {
    const { lastPosition } = store.append(history.next());
    served.set(lastPosition, new Map([...ASSEMBLED_COLLECTIONS].map((id) => [id, store.views.get(id)])));
  }
  return { store, served };
}

describe('collections kept in parts', () => {
  it('serves a collection with every member in order, its ETag position the last registration, its own row never rewritten', () => {
    const { store } = labStore(12, 200);
    const systems = store.views.get(SYSTEMS)!;
    expect(members(systems)).toEqual(Array.from({ length: 12 }, (_, i) => `${SYSTEMS}/node-${i + 1}`));
    expect(JSON.parse(systems.body)).toMatchObject({ 'Members@odata.count': 12, Name: 'Computer System Collection' });
    expect(systems.body).not.toContain('#assembled');
    const row = (id: string) =>
      store.db.prepare('SELECT body, position FROM views WHERE odata_id = ?').get(id) as {
        body: string;
        position: number;
      };
    const lastPart = Math.max(...members(systems).map((id) => row(memberPartId(id)).position));
    expect(systems.position).toBe(lastPart);
    // The collection's own row is as the service's creation made it: each registration wrote only its part.
    expect(JSON.parse(row(SYSTEMS).body)['Members']).toEqual([]);
    expect(row(SYSTEMS).position).toBe(1);
  });

  it('reads the same collections at every past position as GET served them then', () => {
    const { store, served } = labStore(5, 120);
    const travel = new TimeTravel(store.db, {
      projectors,
      projectionVersion: PROJECTION_VERSION,
      snapshotInterval: 25,
    });
    const positions = [...served.keys()];
    for (const id of ASSEMBLED_COLLECTIONS) {
      const past = travel.viewAt(id, positions);
      positions.forEach((position, i) =>
        expect([id, position, past[i]]).toEqual([id, position, served.get(position)!.get(id)]),
      );
    }
  });

  it('moves the position of a collection a member left, and lists what is left', () => {
    const views = new ReplayViews();
    views.put(assembledCollection({ '@odata.id': SYSTEMS, '@odata.type': '#T', Name: 'S' }), 1);
    putMemberPart(views, 2, `${SYSTEMS}/b-10`);
    putMemberPart(views, 3, `${SYSTEMS}/b-9`);
    putMemberPart(views, 4, `${SYSTEMS}/a`);
    putMemberPart(views, 9, `${SYSTEMS}/a`);
    expect(members(views.read(SYSTEMS))).toEqual([`${SYSTEMS}/a`, `${SYSTEMS}/b-9`, `${SYSTEMS}/b-10`]);
    expect(views.read(SYSTEMS)!.position).toBe(4);
    deleteMemberPart(views, 7, SYSTEMS, `${SYSTEMS}/b-9`);
    expect(views.read(SYSTEMS)).toEqual({
      odataId: SYSTEMS,
      body: JSON.stringify({
        '@odata.id': SYSTEMS,
        '@odata.type': '#T',
        Name: 'S',
        Members: [{ '@odata.id': `${SYSTEMS}/a` }, { '@odata.id': `${SYSTEMS}/b-10` }],
        'Members@odata.count': 2,
      }),
      position: 7,
    });
    expect(memberIdsOf(views, SYSTEMS)).toEqual([`${SYSTEMS}/a`, `${SYSTEMS}/b-10`]);
  });

  it('keeps a member a whole write put in the listed Members of a collection kept in parts (a mockup adding one)', () => {
    const views = new ReplayViews();
    views.put(assembledCollection({ '@odata.id': SYSTEMS, Name: 'S' }), 1);
    putMemberPart(views, 2, `${SYSTEMS}/b`);
    const written = views.get(SYSTEMS)!;
    views.put({ ...written, Members: [{ '@odata.id': `${SYSTEMS}/a` }], 'Members@odata.count': 1 }, 3);
    expect(members(views.read(SYSTEMS))).toEqual([`${SYSTEMS}/a`, `${SYSTEMS}/b`]);
    expect(memberIdsOf(views, SYSTEMS)).toEqual([`${SYSTEMS}/a`, `${SYSTEMS}/b`]);
  });

  it('serves a collection written whole (a mockup tree) as written, and leaves parts of a collection below out', () => {
    const whole = JSON.stringify({ '@odata.id': SYSTEMS, Members: [{ '@odata.id': `${SYSTEMS}/x` }] });
    const parts = [
      { odataId: memberPartId(`${SYSTEMS}/y`), position: 5 },
      { odataId: memberPartId(`${SYSTEMS}/y/Deeper/z`), position: 6 },
    ];
    expect(assembleCollection({ odataId: SYSTEMS, body: whole, position: 2 }, parts).body).toBe(whole);
    const views = new MemoryViews();
    views.put(assembledCollection({ '@odata.id': SYSTEMS }), 1);
    views.put({ '@odata.id': parts[0]!.odataId }, parts[0]!.position);
    expect(withCollectionsAssembled([...views.rows()])).toEqual([
      {
        odataId: SYSTEMS,
        body: JSON.stringify({
          '@odata.id': SYSTEMS,
          Members: [{ '@odata.id': `${SYSTEMS}/y` }],
          'Members@odata.count': 1,
        }),
        position: 5,
      },
    ]);
  });
});
