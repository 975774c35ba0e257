import { describe, expect, it } from 'vitest';
import { describeMockupEvent } from '../../src/mockup/mockup-event-descriptions.js';

const VOLUMES = '/redfish/v1/Systems/1/Storage/1/Volumes';

describe("a mockup lab's changes as its History log tells them", () => {
  it('gives no entry for the import: the tree as imported is where the lab starts', () => {
    const imported = { odataId: '/redfish/v1', document: {} };
    expect(
      describeMockupEvent({ type: 'MockupResourceImported', subject: '/redfish/v1', data: imported }),
    ).toBeUndefined();
  });

  it('tells a member created and a resource deleted, the deleted one as what entries naming it lose', () => {
    const document = { '@odata.type': '#Volume.v1_9_0.Volume' };
    const created = describeMockupEvent({
      type: 'MockupResourceCreated',
      subject: `${VOLUMES}/4`,
      data: { odataId: `${VOLUMES}/4`, collection: VOLUMES, document },
    });
    expect(created).toMatchObject({
      origin: `${VOLUMES}/4`,
      message: { MessageId: 'ResourceEvent.1.4.ResourceCreated' },
    });
    expect(created?.detail).toBe(`Volume created in ${VOLUMES}.`);
    const deleted = describeMockupEvent({
      type: 'MockupResourceDeleted',
      subject: `${VOLUMES}/4`,
      data: { odataId: `${VOLUMES}/4`, resourceType: 'Volume', collection: VOLUMES, removed: [`${VOLUMES}/4`] },
    });
    expect(deleted).toMatchObject({
      message: { MessageId: 'ResourceEvent.1.4.ResourceRemoved' },
      mayRemove: `${VOLUMES}/4`,
      detail: 'Volume deleted.',
    });
  });

  it('names the property and value of a change to one property, and the changes of several', () => {
    const patched = (changes: Record<string, unknown>) =>
      describeMockupEvent({
        type: 'MockupResourcePatched',
        subject: '/redfish/v1/Systems/1/Bios/Settings',
        data: { odataId: '/redfish/v1/Systems/1/Bios/Settings', resourceType: 'Bios', changes },
      });
    expect(patched({ Attributes: { BootMode: 'LegacyBios' } })?.message).toMatchObject({
      MessageId: 'ResourceEvent.1.4.PropertyValueModifiedByClient',
      MessageArgs: ['Attributes', 'BootMode=LegacyBios'],
    });
    expect(patched({ Attributes: {}, Name: 'x' })?.message.MessageId).toBe('ResourceEvent.1.4.ResourceChanged');
  });
});
