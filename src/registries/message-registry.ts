import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';

interface RegistryEntry {
  readonly Message: string;
  readonly MessageSeverity?: string;
  readonly Severity?: string;
  readonly NumberOfArgs: number;
  readonly Resolution?: string;
}

/** One of DMTF's message registries, shipped in src/registries/dmtf/ under DMTF's license. */
export interface MessageRegistry {
  /** e.g. 'ResourceEvent.1.4.3': the registry's Id, and the folder it is served under. */
  readonly id: string;
  /** e.g. 'ResourceEvent' */
  readonly prefix: string;
  /** e.g. 'ResourceEvent.1.4': what MessageIds start with (registry name and major.minor version). */
  readonly messagePrefix: string;
  readonly name: string;
  /** The file as DMTF publishes it, served to clients that look messages up. */
  readonly text: string;
  readonly messages: Readonly<Record<string, RegistryEntry>>;
}

/** A registry message with its arguments filled in: the fields every use of it carries. */
export interface FilledMessage {
  readonly MessageId: string;
  readonly Message: string;
  readonly MessageArgs: readonly string[];
  readonly MessageSeverity: string;
  readonly Resolution?: string;
}

export function loadRegistry(file: string): MessageRegistry {
  const text = readFileSync(join(projectRoot(), 'src', 'registries', 'dmtf', file), 'utf8');
  const registry = JSON.parse(text) as {
    Id: string;
    Name: string;
    RegistryPrefix: string;
    Messages: Record<string, RegistryEntry>;
  };
  return {
    id: registry.Id,
    prefix: registry.RegistryPrefix,
    messagePrefix: registry.Id.split('.').slice(0, 3).join('.'),
    name: registry.Name,
    text,
    messages: registry.Messages,
  };
}

/**
 * A message of `registry` with `args` in its %1, %2… An unknown id or a wrong number of
 * arguments is a bug in the caller, so it throws rather than sending a malformed message.
 * `severity` is used when the registry gives none.
 */
export function fillMessage(
  registry: MessageRegistry,
  messageId: string,
  args: readonly string[],
  severity: string,
): FilledMessage {
  const entry = registry.messages[messageId];
  if (!entry) throw new Error(`${registry.id} has no message '${messageId}'`);
  if (entry.NumberOfArgs !== args.length)
    throw new Error(`${registry.id} message ${messageId} takes ${entry.NumberOfArgs} arguments, got ${args.length}`);
  return {
    MessageId: `${registry.messagePrefix}.${messageId}`,
    Message: entry.Message.replace(/%(\d+)/g, (_, n: string) => args[Number(n) - 1] ?? ''),
    MessageArgs: [...args],
    MessageSeverity: entry.MessageSeverity ?? entry.Severity ?? severity,
    ...(entry.Resolution ? { Resolution: entry.Resolution } : {}),
  };
}
