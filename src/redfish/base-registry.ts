import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';

interface RegistryMessage {
  readonly Message: string;
  readonly MessageSeverity?: string;
  readonly Severity?: string;
  readonly NumberOfArgs: number;
  readonly Resolution?: string;
}

interface Registry {
  readonly Id: string;
  readonly Messages: Record<string, RegistryMessage>;
}

/** DMTF's Base message registry, shipped in src/redfish/registries/ under DMTF's license. */
const BASE_REGISTRY_FILE = join(projectRoot(), 'src', 'redfish', 'registries', 'Base.1.22.1.json');
/** The registry file as DMTF publishes it, served to clients that look messages up. */
export const BASE_REGISTRY_TEXT = readFileSync(BASE_REGISTRY_FILE, 'utf8');
const registry = JSON.parse(BASE_REGISTRY_TEXT) as Registry;

/** e.g. 'Base.1.22' — the MessageId prefix: registry name and major.minor version. */
export const BASE_REGISTRY_PREFIX = registry.Id.split('.').slice(0, 3).join('.');
export const BASE_REGISTRY_ID = registry.Id;

export const MESSAGE_ODATA_TYPE = '#Message.v1_3_0.Message';

/** One entry of `@Message.ExtendedInfo`. */
export interface RedfishMessage {
  readonly '@odata.type': string;
  readonly MessageId: string;
  readonly Message: string;
  readonly MessageArgs: readonly string[];
  readonly MessageSeverity: string;
  readonly Resolution?: string;
  readonly RelatedProperties?: readonly string[];
}

/**
 * A Base registry message with its arguments filled in. An unknown id or a wrong number of
 * arguments is a bug in the caller, so it throws rather than sending a malformed message.
 */
export function baseMessage(messageId: string, args: readonly string[] = [], relatedProperties?: readonly string[]): RedfishMessage {
  const entry = registry.Messages[messageId];
  if (!entry) throw new Error(`Base registry ${registry.Id} has no message '${messageId}'`);
  if (entry.NumberOfArgs !== args.length) {
    throw new Error(`Base message ${messageId} takes ${entry.NumberOfArgs} arguments, got ${args.length}`);
  }
  const text = entry.Message.replace(/%(\d+)/g, (_, n: string) => args[Number(n) - 1] ?? '');
  return {
    '@odata.type': MESSAGE_ODATA_TYPE,
    MessageId: `${BASE_REGISTRY_PREFIX}.${messageId}`,
    Message: text,
    MessageArgs: [...args],
    MessageSeverity: entry.MessageSeverity ?? entry.Severity ?? 'Critical',
    ...(entry.Resolution ? { Resolution: entry.Resolution } : {}),
    ...(relatedProperties && relatedProperties.length > 0 ? { RelatedProperties: [...relatedProperties] } : {}),
  };
}
