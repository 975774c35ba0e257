import type { RecordedEvent } from '../eventstore/event.js';
import { addMember } from './collection.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector } from '../eventstore/projector.js';
import { BIOS_ATTRIBUTE_REGISTRY } from './system-bios.js';

const REGISTRIES = '/redfish/v1/Registries';

/** The Registries entry of the BIOS attribute registry, so clients find the file Bios names. */
export const biosRegistryFileProjector: Projector = {
  name: 'bios-registry-file',
  apply(event: RecordedEvent, views) {
    if (event.type !== 'ServiceCreated') return;
    const id = `${REGISTRIES}/${BIOS_ATTRIBUTE_REGISTRY}`;
    views.put(
      {
        '@odata.id': id,
        '@odata.type': ODATA_TYPE.MessageRegistryFile,
        Id: BIOS_ATTRIBUTE_REGISTRY,
        Name: 'BIOS Attribute Registry File',
        Registry: BIOS_ATTRIBUTE_REGISTRY,
        Languages: ['en'],
        Location: [{ Language: 'en', Uri: `${id}/${BIOS_ATTRIBUTE_REGISTRY}.json` }],
      },
      event.position,
    );
    addMember(
      views,
      event.position,
      { id: REGISTRIES, type: ODATA_TYPE.MessageRegistryFileCollection, name: 'Registry File Collection' },
      id,
    );
  },
};
