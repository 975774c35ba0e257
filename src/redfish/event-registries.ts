import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';

interface RegistryMessage {
  readonly Message: string;
  readonly MessageSeverity?: string;
  readonly Severity?: string;
  readonly NumberOfArgs: number;
}

/** One of DMTF's event message registries, shipped in src/redfish/registries/ under DMTF's license. */
export interface EventRegistry {
  /** e.g. 'ResourceEvent.1.4.3': the registry's Id, and the folder it is served under. */
  readonly id: string;
  /** e.g. 'ResourceEvent' */
  readonly prefix: string;
  /** e.g. 'ResourceEvent.1.4': what MessageIds start with (registry name and major.minor version). */
  readonly messagePrefix: string;
  readonly name: string;
  /** The file as DMTF publishes it, served to clients that look messages up. */
  readonly text: string;
  readonly messages: Readonly<Record<string, RegistryMessage>>;
}

function load(file: string): EventRegistry {
  const text = readFileSync(join(projectRoot(), 'src', 'redfish', 'registries', file), 'utf8');
  const registry = JSON.parse(text) as { Id: string; Name: string; RegistryPrefix: string; Messages: Record<string, RegistryMessage> };
  return {
    id: registry.Id,
    prefix: registry.RegistryPrefix,
    messagePrefix: registry.Id.split('.').slice(0, 3).join('.'),
    name: registry.Name,
    text,
    messages: registry.Messages,
  };
}

/** The registries of the messages events carry: resources created, changed, removed; tasks. */
export const EVENT_REGISTRIES = {
  ResourceEvent: load('ResourceEvent.1.4.3.json'),
  TaskEvent: load('TaskEvent.1.0.5.json'),
} as const;

export type EventRegistryPrefix = keyof typeof EVENT_REGISTRIES;

/** Where a registry file is served: as the Base one, /redfish/v1/Registries/{Id}/{Id}.json. */
export const registryFileUri = (id: string) => `/redfish/v1/Registries/${id}/${id}.json`;

/** A message of an event registry with its arguments filled in, as an event record carries it. */
export interface EventMessage {
  readonly MessageId: string;
  readonly Message: string;
  readonly MessageArgs: readonly string[];
  readonly MessageSeverity: string;
}

/**
 * A message of one of the event registries. An unknown id or a wrong number of arguments is a
 * bug in the caller, so it throws rather than sending a malformed event.
 */
export function eventMessage(prefix: EventRegistryPrefix, messageId: string, args: readonly string[] = []): EventMessage {
  const registry = EVENT_REGISTRIES[prefix];
  const entry = registry.messages[messageId];
  if (!entry) throw new Error(`${registry.id} has no message '${messageId}'`);
  if (entry.NumberOfArgs !== args.length) throw new Error(`${registry.id} message ${messageId} takes ${entry.NumberOfArgs} arguments, got ${args.length}`);
  return {
    MessageId: `${registry.messagePrefix}.${messageId}`,
    Message: entry.Message.replace(/%(\d+)/g, (_, n: string) => args[Number(n) - 1] ?? ''),
    MessageArgs: [...args],
    MessageSeverity: entry.MessageSeverity ?? entry.Severity ?? 'OK',
  };
}
