import { fillMessage, loadRegistry } from './message-registry.js';

/** DMTF's Base message registry: the messages of error bodies and of changes made on purpose. */
const registry = loadRegistry('Base.1.22.1.json');

/** The registry file as DMTF publishes it, served to clients that look messages up. */
export const BASE_REGISTRY_TEXT = registry.text;
/** e.g. 'Base.1.22' — the MessageId prefix: registry name and major.minor version. */
export const BASE_REGISTRY_PREFIX = registry.messagePrefix;
export const BASE_REGISTRY_ID = registry.id;

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

/** A Base registry message with its arguments filled in, as `@Message.ExtendedInfo` carries it. */
export function baseMessage(
  messageId: string,
  args: readonly string[] = [],
  relatedProperties?: readonly string[],
): RedfishMessage {
  return {
    '@odata.type': MESSAGE_ODATA_TYPE,
    ...fillMessage(registry, messageId, args, 'Critical'),
    ...(relatedProperties && relatedProperties.length > 0 ? { RelatedProperties: [...relatedProperties] } : {}),
  };
}
