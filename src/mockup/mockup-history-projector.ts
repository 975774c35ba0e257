import type { RecordedEvent } from '../eventstore/event.js';
import type { Projector, ViewWriter } from '../eventstore/projector.js';
import { appendHistoryEntry, ensureHistoryLog, logServicesOf } from '../projections/log-services.js';
import { managerOf } from '../projections/manager-and-chassis.js';
import { memberIdsOf } from '../views/assembled-collections.js';
import { MOCKUP_STREAM, type MockupEvent } from './mockup-events.js';
import { describeMockupEvent } from './mockup-event-descriptions.js';

const MANAGERS = '/redfish/v1/Managers';

/** The Manager whose log tells a mockup lab's history: the first the tree lists, by its Id in the path. */
function historyManager(views: ViewWriter): string | undefined {
  const first = memberIdsOf(views, MANAGERS)[0];
  return first?.startsWith(`${MANAGERS}/`) ? first.slice(MANAGERS.length + 1).replace(/\/+$/, '') : undefined;
}

/**
 * A mockup lab's History LogService, as a libvirt lab's BMCs keep theirs: one LogEntry per
 * change clients made, in the tree's (first) Manager, joined to the LogServices it has. It is
 * made as the tree is imported, once the Manager and its LogServices collection are there (the
 * import of either writes them as the tree has them, so History is added again after each); a
 * tree without a Manager has none (its history is in /emulator/v1/History). Runs after the
 * mockup projector, which writes the resources it joins.
 */
export const mockupHistoryProjector: Projector = {
  name: 'mockup-history',
  apply(recorded: RecordedEvent, views) {
    if (recorded.streamId !== MOCKUP_STREAM) return;
    const managerId = historyManager(views);
    if (managerId === undefined) return;
    const event = { type: recorded.type, data: recorded.data } as MockupEvent;
    if (event.type === 'MockupResourceImported') {
      if ([managerOf(managerId), logServicesOf(managerId)].includes(event.data.odataId))
        ensureHistoryLog(views, recorded.position, managerId);
      return;
    }
    appendHistoryEntry(views, recorded, managerId, () => describeMockupEvent(event));
  },
};
