import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import zlib, { inflateSync } from 'node:zlib';
import { syncBuiltinESMExports } from 'node:module';
import type { StoredView } from '../../src/eventstore/projector.js';
import { encodeSnapshot, encodeSnapshotAsync, type SnapshotIndex } from '../../src/views/snapshot-encoding.js';
import { parentFilter, parentFilterTest } from '../../src/views/parent-filter.js';
import { DamagedSnapshotError, decodeSnapshot, openSnapshot } from '../../src/views/snapshot-reading.js';
import { SnapshotViews, ViewSnapshots } from '../../src/views/view-snapshots.js';
import { openEventStore } from '../../src/views/open-store.js';
import { PROJECTION_VERSION, projectors } from '../../src/projections/catalog.js';
import { useTempDirs } from '../support/temp-dir.js';

/**
 * A snapshot as the emulator stored them before the paged form (its header read whole): a
 * system's hidden state, 30 log entries (a section of their own), two systems, and the
 * deletion of /redfish/v1/Systems/c.
 */
const FIRST_FORM = Buffer.from(
  'AAABAnicxdG7agMxEIXhd5m0B1ZzZq/p06VzKVRsbDlZ8AW8iyGEvHs4RTqnTqEfIfQJxHzZWvfbcr2s9py7FuRUYMf5vJyWqrNsT+s2b7W51cNxWT+auze7z3Wr57UxJGSbrSAPBZlTKcj26ObcvF7fd/V2X/Z11b55uWy3peoNR7aUDJZcoRJKq3RKrwzKqEwGcwmXcAmXcAmXcAmXcAmXoAQlKEEJSlCCEpSgBCf9yhPc4YQHvIV38B4+wEf4BCbQQYIBtmAH9uAAjuCESAhHEBGIFtEhesSAGBFTQW6jxT+sP0f0O0zYm77eoddIE5ylFNihnupWD/b8WO+tfP8AoCiKwXicq1YqLkksSVWyqlYqyC9PLQqG8JT885Rqa6uV/BJzQTzvvPyS1DyFw3uUEGJJSrUAmc0VI3ic7dg9CsJAGAbhq8hXi5vE/1Q2dnbxAsGscSEmkA1BCd5dPIOIvDDd9E83kx26qhzKRagsN9f76hrizY2pK55x8PfoSnfq6sL3Y7j4+Gl3bIc++OiSxOZ29o/Bcmu6etaE1s+In4a9pm/EUsTExDLExMSWiImJrRATE1sjJia2QUxMbIuYmNgOMTGxPWJaYinPQ02M56EmxvNQE+N5qInxPNTEeB5qYjwPNTGeh5oYz0NNjOchJpbxPNTEeB5qYjwPNTGeh5oYz0NNjOehJsbzUBPjeaiJ8TzUxHgefxB7Ayc+uyU=',
  'base64',
);

const tempDir = useTempDirs();

const byId = (a: StoredView, b: StoredView) => (a.odataId < b.odataId ? -1 : a.odataId > b.odataId ? 1 : 0);

/** Where each page and section of a stored snapshot in the paged form is: [start, end) in its bytes. */
function partsOf(body: Buffer): { pages: [number, number][]; sections: [number, number][] } {
  let at = 8 + body.readUInt32BE(4);
  const index = JSON.parse(inflateSync(body.subarray(8, at)).toString('utf8')) as SnapshotIndex;
  const place = (length: number): [number, number] => [at, (at += length)];
  return {
    pages: index.pages.map(([, length]) => place(length)),
    sections: index.sections.map(([length]) => place(length)),
  };
}

/** The body with the last bytes of one part zeroed: deflate's checksum no longer matches. */
const spoiled = (body: Buffer, [, end]: [number, number]) =>
  Buffer.concat([body.subarray(0, end - 4), Buffer.alloc(4), body.subarray(end)]);

/** A lab's worth of views: per system its document, a log of entries and hidden state, ids in order. */
function labViews(systems: number, entries: number): StoredView[] {
  const views: StoredView[] = [];
  for (let s = 0; s < systems; s += 1) {
    const system = `/redfish/v1/Systems/s${String(s).padStart(4, '0')}`;
    views.push({
      odataId: `#state${system}`,
      body: JSON.stringify({ state: { powerState: 'Off', n: s } }),
      position: s,
    });
    views.push({ odataId: system, body: JSON.stringify({ '@odata.id': system, Name: `system ${s}` }), position: s });
    for (let e = 0; e < entries; e += 1) {
      const entry = `${system}/LogServices/Log/Entries/${e}`;
      views.push({
        odataId: entry,
        body: JSON.stringify({ '@odata.id': entry, Message: `entry ${e} of ${s}` }),
        position: s,
      });
    }
  }
  return views.sort(byId);
}

describe('snapshot storage', () => {
  it('reads a snapshot stored before the paged form, and builds a delta in the paged form on it', () => {
    const first = decodeSnapshot(FIRST_FORM);
    expect(first.deleted).toEqual(['/redfish/v1/Systems/c']);
    expect(first.views).toHaveLength(33);
    expect(first.views.find((view) => view.odataId === '/redfish/v1/Systems/a')).toEqual({
      odataId: '/redfish/v1/Systems/a',
      body: '{"Name":"Knoten ü"}',
      position: 5,
    });
    const entry = first.views.find((view) => view.odataId.endsWith('/Entries/29'))!;
    expect(JSON.parse(entry.body)).toEqual({ '@odata.id': entry.odataId, Text: 'log line '.repeat(40) });
    expect(entry.position).toBe(39);

    const delta = encodeSnapshot(
      [{ odataId: '/redfish/v1/Systems/b', body: '{"Name":"b, renamed"}', position: 50 }],
      ['/redfish/v1/Systems/a/LogServices/Log/Entries/00'],
    );
    const views = new SnapshotViews([openSnapshot(FIRST_FORM, 1), openSnapshot(delta, 2)]);
    expect(views.get('/redfish/v1/Systems/b')?.body).toBe('{"Name":"b, renamed"}');
    expect(views.get('/redfish/v1/Systems/a')?.position).toBe(5);
    expect(views.has('/redfish/v1/Systems/a/LogServices/Log/Entries/00')).toBe(false);
    expect(views.idsUnder('/redfish/v1/Systems/a/LogServices/Log/Entries/')).toHaveLength(29);
    expect(views.size).toBe(32);
  });

  it('reads only the page of the family asked about', () => {
    const views = labViews(400, 3);
    const body = encodeSnapshot(views);
    const { pages } = partsOf(body);
    expect(pages.length).toBeGreaterThan(10);
    const opened = openSnapshot(spoiled(body, pages[pages.length - 1]!), 9);
    // The first system's families are on the first pages; the last page is never read for them.
    const family = opened.family('/redfish/v1/Systems/s0000/LogServices/Log/Entries/');
    expect(family?.leaves).toEqual(['0', '1', '2']);
    expect(() => opened.family('/redfish/v1/Systems/s0399/LogServices/Log/Entries/')).toThrow(DamagedSnapshotError);
    expect(() => [...opened.parents()]).toThrow(DamagedSnapshotError);
    // Unspoiled, it gives back every view.
    expect(decodeSnapshot(body).views.sort(byId)).toEqual(views);
  });

  it('answers for families a delta does not hold from its filter, without reading a page', () => {
    const views = labViews(300, 2);
    const body = encodeSnapshot(views.filter((view) => /s00[0-4]\d/.test(view.odataId)));
    let spoilt = body;
    for (const page of partsOf(body).pages) spoilt = spoiled(spoilt, page);
    const opened = openSnapshot(spoilt, 9);
    const absent = Array.from(
      { length: 250 },
      (_, s) => `/redfish/v1/Systems/s${String(s + 50).padStart(4, '0')}/LogServices/Log/Entries/`,
    );
    // A filter is wrong about one parent in a hundred or so: then it reads a page, spoilt here.
    const answered = absent.filter((parent) => {
      try {
        return opened.family(parent) === undefined;
      } catch (error) {
        if (!(error instanceof DamagedSnapshotError)) throw error;
        return false;
      }
    });
    expect(answered.length).toBeGreaterThan(240);
    expect(() => opened.family('/redfish/v1/Systems/s0007/LogServices/Log/Entries/')).toThrow(DamagedSnapshotError);
  });

  it('filters parent paths with no false "no" and few false "maybe"', () => {
    const held = Array.from({ length: 20_000 }, (_, i) => `/redfish/v1/Chassis/sim-${i}/Sensors/`);
    const mayHold = parentFilterTest(parentFilter(held));
    expect(held.every(mayHold)).toBe(true);
    const others = Array.from({ length: 20_000 }, (_, i) => `/redfish/v1/Systems/sim-${i}/Storage/`);
    expect(others.filter(mayHold).length).toBeLessThan(others.length * 0.02);
  });

  it('gives the number of views of a restored snapshot from its row, without reading a page', () => {
    const { store } = openEventStore({
      file: join(tempDir(), 'events.db'),
      projectors,
      projectionVersion: PROJECTION_VERSION,
    });
    const snapshots = new ViewSnapshots(store.db, PROJECTION_VERSION);
    const views = labViews(300, 2);
    snapshots.save(7, views, views.length);
    const body = store.db.prepare('SELECT body FROM view_snapshots WHERE position = 7').pluck().get() as Buffer;
    let spoilt = body;
    for (const page of partsOf(body).pages) spoilt = spoiled(spoilt, page);
    store.db.prepare('UPDATE view_snapshots SET body = ? WHERE position = 7').run(spoilt);
    const restored = new ViewSnapshots(store.db, PROJECTION_VERSION).restore(7)!;
    expect(restored.size).toBe(1200);
    expect(() => restored.get(views[0]!.odataId)).toThrow(DamagedSnapshotError);
    store.db.close();
  });

  it('deflates the parts of a snapshot a few dozen at a time however many pages it has, and writes what the one-go encoding writes', async () => {
    // A keyframe of a large lab lists a million views in thousands of pages; each deflate holds
    // its zlib state from the moment it is made. Count those made and not done.
    const original = zlib.deflate;
    let underWay = 0;
    let most = 0;
    const counted = (text: Buffer, options: zlib.ZlibOptions, done: zlib.CompressCallback) => {
      most = Math.max(most, (underWay += 1));
      original(text, options, (err, body) => {
        underWay -= 1;
        done(err, body);
      });
    };
    zlib.deflate = counted as typeof zlib.deflate;
    syncBuiltinESMExports();
    try {
      const views = Array.from({ length: 6000 }, (_, i): StoredView => {
        const odataId = `/redfish/v1/Systems/s-${String(i).padStart(5, '0')}/Bios`;
        return { odataId, body: JSON.stringify({ '@odata.id': odataId, Index: i }), position: i + 1 };
      });
      const stored = await encodeSnapshotAsync([views], []);
      const index = JSON.parse(
        inflateSync(stored!.subarray(8, 8 + stored!.readUInt32BE(4))).toString(),
      ) as SnapshotIndex;
      expect(index.pages.length).toBeGreaterThan(50);
      expect(most).toBeGreaterThan(4);
      expect(most).toBeLessThanOrEqual(32);
      expect(stored).toEqual(encodeSnapshot(views));
    } finally {
      zlib.deflate = original;
      syncBuiltinESMExports();
    }
  });

  it('splits a large family over several sections, so reading one member inflates only its own', () => {
    const views = labViews(2000, 0);
    const body = encodeSnapshot(views);
    const { sections } = partsOf(body);
    expect(sections.length).toBeGreaterThan(3);
    const opened = openSnapshot(spoiled(body, sections[0]!), 9);
    const snapshot = new SnapshotViews([opened]);
    // Ids sort '#state…' first: the first section holds the first systems' hidden state.
    expect(() => snapshot.get('#state/redfish/v1/Systems/s0000')!.body).toThrow(DamagedSnapshotError);
    expect(JSON.parse(snapshot.get('#state/redfish/v1/Systems/s1999')!.body)).toEqual({
      state: { powerState: 'Off', n: 1999 },
    });
    expect(snapshot.idsUnder('#state/redfish/v1/Systems/')).toHaveLength(2000);
  });
});
