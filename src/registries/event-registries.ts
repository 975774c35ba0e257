import { fillMessage, loadRegistry, type FilledMessage } from './message-registry.js';

/** The registries of the messages events carry: resources created, changed, removed; tasks. */
export const EVENT_REGISTRIES = {
  ResourceEvent: loadRegistry('ResourceEvent.1.4.3.json'),
  TaskEvent: loadRegistry('TaskEvent.1.0.5.json'),
} as const;

export type EventRegistryPrefix = keyof typeof EVENT_REGISTRIES;

/** Where a registry file is served: as the Base one, /redfish/v1/Registries/{Id}/{Id}.json. */
export const registryFileUri = (id: string) => `/redfish/v1/Registries/${id}/${id}.json`;

/** A message of an event registry with its arguments filled in, as an event record and a LogEntry carry it. */
export type FilledEventMessage = Omit<FilledMessage, 'Resolution'>;

/** A message of one of the event registries (see fillMessage). */
export function eventMessage(
  prefix: EventRegistryPrefix,
  messageId: string,
  args: readonly string[] = [],
): FilledEventMessage {
  const { Resolution: _, ...message } = fillMessage(EVENT_REGISTRIES[prefix], messageId, args, 'OK');
  return message;
}
