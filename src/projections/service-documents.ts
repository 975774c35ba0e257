import type { RecordedEvent } from '../eventstore/event.js';
import { BASE_REGISTRY_ID, BASE_REGISTRY_PREFIX } from '../registries/base-registry.js';
import { setMembers } from './collection.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector } from '../eventstore/projector.js';

const REGISTRIES = '/redfish/v1/Registries';
const TASK_SERVICE = '/redfish/v1/TaskService';

/** Where the Base registry a client is referred to can be read: served as shipped. */
export const BASE_REGISTRY_URI = `${REGISTRIES}/${BASE_REGISTRY_ID}/${BASE_REGISTRY_ID}.json`;

/**
 * The service's fixed documents, made with the service: the message registries its errors use
 * (Base, served as DMTF publishes it) and the TaskService.
 */
export const serviceDocumentsProjector: Projector = {
  name: 'service-documents',
  apply(event: RecordedEvent, views) {
    if (event.type !== 'ServiceCreated') return;
    const { position } = event;
    setMembers(views, position, REGISTRIES, ODATA_TYPE.MessageRegistryFileCollection, 'Registry File Collection', [
      BASE_REGISTRY_ID,
    ]);
    views.put(
      {
        '@odata.id': `${REGISTRIES}/${BASE_REGISTRY_ID}`,
        '@odata.type': ODATA_TYPE.MessageRegistryFile,
        Id: BASE_REGISTRY_ID,
        Name: 'Base Message Registry File',
        Registry: BASE_REGISTRY_PREFIX,
        Languages: ['en'],
        Location: [{ Language: 'en', Uri: BASE_REGISTRY_URI }],
      },
      position,
    );
    views.put(
      {
        '@odata.id': TASK_SERVICE,
        '@odata.type': ODATA_TYPE.TaskService,
        Id: 'TaskService',
        Name: 'Task Service',
        ServiceEnabled: true,
        CompletedTaskOverWritePolicy: 'Oldest',
        LifeCycleEventOnTaskStateChange: false,
        Status: { State: 'Enabled', Health: 'OK' },
        Tasks: { '@odata.id': `${TASK_SERVICE}/Tasks` },
      },
      position,
    );
    setMembers(views, position, `${TASK_SERVICE}/Tasks`, ODATA_TYPE.TaskCollection, 'Task Collection', []);
    const root = views.get('/redfish/v1');
    if (root) {
      root['Registries'] = { '@odata.id': REGISTRIES };
      root['Tasks'] = { '@odata.id': TASK_SERVICE };
      views.put(root, position);
    }
  },
};
