import type { RecordedEvent } from '../eventstore/event.js';
import type { SystemEvent } from '../domain/system/system-events.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector } from '../eventstore/projector.js';
import { isSystemStream } from '../domain/stream-ids.js';

export const secureBootOf = (system: string) => `${system}/SecureBoot`;

/**
 * Each system's SecureBoot: SecureBootEnable as a client set it (for the next boot), and
 * SecureBootCurrentBoot as the machine last booted.
 */
export const secureBootProjector: Projector = {
  name: 'secure-boot',
  apply(recorded: RecordedEvent, views) {
    if (!isSystemStream(recorded.streamId)) return;
    const system = recorded.streamId;
    const id = secureBootOf(system);
    const { position } = recorded;
    const event = { type: recorded.type, data: recorded.data } as SystemEvent;
    switch (event.type) {
      case 'SystemRegistered': {
        if (views.get(id)) return;
        views.put(
          {
            '@odata.id': id,
            '@odata.type': ODATA_TYPE.SecureBoot,
            Id: 'SecureBoot',
            Name: 'UEFI Secure Boot',
            SecureBootEnable: false,
            SecureBootCurrentBoot: 'Disabled',
            SecureBootMode: 'DeployedMode',
          },
          position,
        );
        const doc = views.get(system);
        if (doc) views.put({ ...doc, SecureBoot: { '@odata.id': id } }, position);
        return;
      }
      case 'SecureBootChanged':
      case 'SecureBootApplied': {
        const doc = views.get(id);
        if (!doc) return;
        if (event.type === 'SecureBootChanged') doc['SecureBootEnable'] = event.data.enabled;
        else doc['SecureBootCurrentBoot'] = event.data.enabled ? 'Enabled' : 'Disabled';
        views.put(doc, position);
        return;
      }
      default:
        return;
    }
  },
};
