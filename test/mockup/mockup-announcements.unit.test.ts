import { describe, expect, it } from 'vitest';
import { announcementsOf } from '../../src/projections/event-messages.js';
import type { RecordedEvent } from '../../src/eventstore/event.js';
import { MOCKUP_STREAM } from '../../src/mockup/mockup-events.js';

const SYSTEM = '/redfish/v1/Systems/437XR1138R2';
const recorded = (type: string, data: unknown): RecordedEvent => ({
  position: 300,
  streamId: MOCKUP_STREAM,
  streamVersion: 280,
  subject: SYSTEM,
  type,
  data,
  meta: {},
  recordedAt: '2026-12-03T18:00:00.000Z',
});

describe("a mockup lab's events on the EventService", () => {
  it('announces changes, creations and removals, and neither the import nor the action itself', () => {
    const brief = (type: string, data: unknown) =>
      announcementsOf(recorded(type, data)).map((a) => [a.messageId, a.resourceType, a.origin]);
    expect(
      brief('MockupResourceImported', {
        odataId: SYSTEM,
        document: { '@odata.type': '#ComputerSystem.v1_20_0.ComputerSystem' },
      }),
    ).toEqual([]);
    expect(
      brief('MockupActionPerformed', { odataId: SYSTEM, action: '#ComputerSystem.Reset', parameters: {} }),
    ).toEqual([]);
    expect(
      brief('MockupResourcePatched', {
        odataId: SYSTEM,
        resourceType: 'ComputerSystem',
        changes: { PowerState: 'Off' },
      }),
    ).toEqual([['ResourceChanged', 'ComputerSystem', SYSTEM]]);
    const volume = `${SYSTEM}/Storage/1/Volumes/4`;
    expect(
      brief('MockupResourceCreated', {
        odataId: volume,
        collection: `${SYSTEM}/Storage/1/Volumes`,
        document: { '@odata.type': '#Volume.v1_10_2.Volume' },
      }),
    ).toEqual([['ResourceCreated', 'Volume', volume]]);
    expect(brief('MockupResourceDeleted', { odataId: volume, resourceType: 'Volume', removed: [volume] })).toEqual([
      ['ResourceRemoved', 'Volume', volume],
    ]);
  });
});
