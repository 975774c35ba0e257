import type { RecordedEvent } from '../eventstore/event.js';
import type { Projector } from '../eventstore/projector.js';
import type { MockupEvent } from './mockup-events.js';
import { mergePatch } from './merge-patch.js';
import { memberIds, withMembers } from './collection-members.js';

const SERVICE_ROOT = '/redfish/v1';

/**
 * A mockup lab's resources as views: each as the tree has it, then as clients changed it. The
 * service root keeps the links the emulator's own services added (SessionService,
 * EventService…) where the tree has none of its own.
 */
export const mockupProjector: Projector = {
  name: 'mockup',
  apply(recorded: RecordedEvent, views) {
    if (!recorded.type.startsWith('Mockup')) return;
    const event = { type: recorded.type, data: recorded.data } as MockupEvent;
    const at = recorded.position;
    switch (event.type) {
      case 'MockupResourceImported': {
        const { odataId, document } = event.data;
        const own = odataId === SERVICE_ROOT ? views.get(SERVICE_ROOT) : undefined;
        if (!own) return views.put(document, at);
        // What the recorded service did with query parameters ($expand, only…) is not what this
        // one does: it answers them 501, so its root claims none of them.
        const { ProtocolFeaturesSupported: _recorded, ...root } = document;
        views.put({ ...own, ...root }, at);
        return;
      }
      case 'MockupResourcePatched': {
        const current = views.get(event.data.odataId);
        if (current) views.put(mergePatch(current, event.data.changes), at);
        return;
      }
      case 'MockupResourceCreated': {
        views.put(event.data.document, at);
        const collection = views.get(event.data.collection);
        if (collection) views.put(withMembers(collection, [...memberIds(collection), event.data.odataId]), at);
        return;
      }
      case 'MockupResourceDeleted': {
        for (const id of event.data.removed) views.delete(id);
        const collection = event.data.collection ? views.get(event.data.collection) : undefined;
        if (collection)
          views.put(
            withMembers(
              collection,
              memberIds(collection).filter((id) => id !== event.data.odataId),
            ),
            at,
          );
        return;
      }
      case 'MockupActionPerformed':
        return;
    }
  },
};
