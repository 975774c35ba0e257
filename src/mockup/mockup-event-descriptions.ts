import { attributes, clip, text, type LoggedMessage } from '../projections/event-messages.js';
import { eventMessage } from '../registries/event-registries.js';
import { resourceTypeOf, type MockupEvent } from './mockup-events.js';

const resource = (messageId: string, args: readonly string[] = []) => eventMessage('ResourceEvent', messageId, args);

/** What a reset's type makes of the power, in ResourceEvent's words, as on a libvirt lab. */
function resetMessage(resetType: unknown, system: string) {
  const type = text(resetType);
  if (['On', 'ForceOn'].includes(type)) return resource('ResourcePoweringOn', [system]);
  if (['ForceOff', 'GracefulShutdown'].includes(type)) return resource('ResourcePoweringOff', [system]);
  return resource('ResourceChanged');
}

/**
 * A mockup lab's change told as its BMC's History log tells it: the resource it concerns and
 * the ResourceEvent message that classifies it (a single property written names it and its
 * value). The tree as imported is where the lab starts, not an entry.
 */
export function describeMockupEvent(event: MockupEvent): LoggedMessage | undefined {
  switch (event.type) {
    case 'MockupResourceImported':
      return undefined;
    case 'MockupResourcePatched': {
      const { odataId, resourceType, changes } = event.data;
      const names = Object.keys(changes);
      const only = names.length === 1 ? names[0]! : undefined;
      const value = only === undefined ? undefined : changes[only];
      return {
        message:
          only === undefined
            ? resource('ResourceChanged')
            : resource('PropertyValueModifiedByClient', [
                only,
                clip(typeof value === 'object' && value !== null ? attributes(value) : text(value)),
              ]),
        origin: odataId,
        detail: `${resourceType} changed: ${attributes(changes)}.`,
      };
    }
    case 'MockupResourceCreated':
      return {
        message: resource('ResourceCreated'),
        origin: event.data.odataId,
        detail: `${resourceTypeOf(event.data.document)} created in ${event.data.collection}.`,
      };
    case 'MockupResourceDeleted': {
      const below = event.data.removed.length - 1;
      return {
        message: resource('ResourceRemoved'),
        origin: event.data.odataId,
        detail: `${event.data.resourceType} deleted${below > 0 ? `, with the ${below} resources below it` : ''}.`,
        mayRemove: event.data.odataId,
      };
    }
    case 'MockupActionPerformed': {
      const { odataId, action, parameters } = event.data;
      const name = action.replace(/^#/, '');
      return {
        message:
          name === 'ComputerSystem.Reset'
            ? resetMessage(parameters['ResetType'], odataId)
            : resource('ResourceChanged'),
        origin: odataId,
        detail: `${name} with ${attributes(parameters)}.`,
      };
    }
  }
}
