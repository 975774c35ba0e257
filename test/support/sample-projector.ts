import type { Projector } from '../../src/eventstore/projector.js';

/**
 * A projector with the moves real ones make — create, update in place, collection membership,
 * delete — so the replay machinery is exercised on more than one document shape.
 */
export const sampleProjector: Projector = {
  name: 'sample',
  apply(event, views) {
    const collectionId = '/redfish/v1/Samples';
    const id = `${collectionId}/${event.streamId.split('/').pop()}`;
    if (event.type === 'SampleChanged') {
      const doc = views.get(id);
      if (!doc) return;
      doc['Changes'] = (doc['Changes'] as number) + 1;
      doc['Last'] = event.data;
      views.put(doc, event.position);
      return;
    }
    const collection = views.get(collectionId) ?? {
      '@odata.id': collectionId,
      Members: [] as { '@odata.id': string }[],
    };
    const members = collection['Members'] as { '@odata.id': string }[];
    if (event.type === 'SampleCreated') {
      views.put(
        { '@odata.id': id, Name: (event.data as { name: string }).name, Changes: 0, Since: event.recordedAt },
        event.position,
      );
      members.push({ '@odata.id': id });
    } else if (event.type === 'SampleRemoved') {
      views.delete(id);
      collection['Members'] = members.filter((m) => m['@odata.id'] !== id);
    } else {
      return;
    }
    collection['Members@odata.count'] = (collection['Members'] as unknown[]).length;
    views.put(collection, event.position);
  },
};

/** Appends a deterministic mix of sample events: creations, changes and removals across streams. */
export function appendSampleHistory(
  store: {
    append(r: { streamId: string; expectedVersion: 'any'; events: { type: string; data: unknown }[] }): unknown;
  },
  streams: number,
  changesPerStream: number,
): void {
  for (let s = 0; s < streams; s += 1) {
    store.append({
      streamId: `/samples/${s}`,
      expectedVersion: 'any',
      events: [{ type: 'SampleCreated', data: { name: `sample ${s}` } }],
    });
  }
  for (let c = 0; c < changesPerStream; c += 1) {
    for (let s = 0; s < streams; s += 1) {
      store.append({
        streamId: `/samples/${s}`,
        expectedVersion: 'any',
        events: [{ type: 'SampleChanged', data: { c, s, text: `é"\n${c}` } }],
      });
    }
  }
  for (let s = 0; s < streams; s += 3) {
    store.append({ streamId: `/samples/${s}`, expectedVersion: 'any', events: [{ type: 'SampleRemoved', data: {} }] });
  }
}
