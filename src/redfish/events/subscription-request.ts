import {
  DELIVERY_RETRY_POLICIES,
  EVENT_TYPES,
  type DeliveryRetryPolicy,
  type EventType,
  type SubscriptionSpec,
} from '../../domain/event-service/event-service-events.js';
import { isHttpUrl, type ChangeEventService } from '../../domain/event-service/event-service-decider.js';
import { ANNOUNCED_RESOURCE_TYPES } from '../../projections/event-service.js';
import { baseMessage, type RedfishMessage } from '../../registries/base-registry.js';
import { EVENT_REGISTRIES } from '../../registries/event-registries.js';

/** The longest Context a subscription keeps. */
export const MAX_CONTEXT_LENGTH = 256;

/** EventDestination properties a client cannot set: the service gives them. */
const READ_ONLY = new Set(['Id', 'Name', 'Description', 'Status', 'Actions', 'Links', 'Oem']);

const pointer = (name: string) => [`/${name}`];
const typeError = (value: unknown, name: string) =>
  baseMessage('PropertyValueTypeError', [JSON.stringify(value), name], pointer(name));
const notInList = (value: string, name: string) => baseMessage('PropertyValueNotInList', [value, name], pointer(name));

/** An array of strings, each one of `allowed` (when given); problems are added for anything else. */
function stringList(
  value: unknown,
  name: string,
  problems: RedfishMessage[],
  allowed?: (item: string) => boolean,
): string[] | undefined {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    problems.push(typeError(value, name));
    return undefined;
  }
  const bad = (value as string[]).filter((item) => allowed && !allowed(item));
  for (const item of bad) problems.push(notInList(item, name));
  return bad.length > 0 ? undefined : [...new Set(value as string[])];
}

/** A MessageIds entry must name a message of a registry events are sent from. */
function isKnownMessageId(entry: string): boolean {
  const parts = entry.split('.');
  const registry = EVENT_REGISTRIES[parts[0] as keyof typeof EVENT_REGISTRIES];
  return parts.length >= 2 && registry !== undefined && registry.messages[parts.at(-1)!] !== undefined;
}

/**
 * Reads the body of a POST to Subscriptions into a subscription, or every reason it cannot be:
 * a missing Destination or Protocol, a destination that is not an http(s) URL, values of the
 * wrong type or outside the allowable values, read-only or unknown properties.
 */
export function readSubscriptionRequest(body: unknown): SubscriptionSpec | RedfishMessage[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [baseMessage('MalformedJSON')];
  const fields = body as Record<string, unknown>;
  const problems: RedfishMessage[] = [];
  let destination: string | undefined;
  let context: string | null = null;
  let deliveryRetryPolicy: DeliveryRetryPolicy = 'SuspendRetries';
  let verifyCertificate = true;
  const filters: {
    -readonly [K in
      | 'registryPrefixes'
      | 'messageIds'
      | 'resourceTypes'
      | 'originResources'
      | 'subordinateResources'
      | 'eventTypes']?: SubscriptionSpec[K];
  } = {};
  for (const name of ['Destination', 'Protocol']) {
    if (fields[name] === undefined) problems.push(baseMessage('PropertyMissing', [name], pointer(name)));
  }
  for (const [name, value] of Object.entries(fields)) {
    if (name.startsWith('@')) continue;
    switch (name) {
      case 'Destination':
        if (typeof value !== 'string') problems.push(typeError(value, name));
        else if (!isHttpUrl(value))
          problems.push(baseMessage('PropertyValueFormatError', [value, name], pointer(name)));
        else destination = value;
        break;
      case 'Protocol':
        if (typeof value !== 'string') problems.push(typeError(value, name));
        else if (value !== 'Redfish') problems.push(notInList(value, name));
        break;
      case 'Context':
        if (value !== null && typeof value !== 'string') problems.push(typeError(value, name));
        else if (typeof value === 'string' && value.length > MAX_CONTEXT_LENGTH)
          problems.push(baseMessage('StringValueTooLong', [value, String(MAX_CONTEXT_LENGTH)], pointer(name)));
        else context = value;
        break;
      case 'EventFormatType':
        if (typeof value !== 'string') problems.push(typeError(value, name));
        else if (value !== 'Event') problems.push(notInList(value, name));
        break;
      case 'SubscriptionType':
        if (typeof value !== 'string') problems.push(typeError(value, name));
        else if (value !== 'RedfishEvent') problems.push(notInList(value, name));
        break;
      case 'DeliveryRetryPolicy':
        if (typeof value !== 'string') problems.push(typeError(value, name));
        else if (!(DELIVERY_RETRY_POLICIES as readonly string[]).includes(value)) problems.push(notInList(value, name));
        else deliveryRetryPolicy = value as DeliveryRetryPolicy;
        break;
      case 'VerifyCertificate':
        if (typeof value !== 'boolean') problems.push(typeError(value, name));
        else verifyCertificate = value;
        break;
      case 'SubordinateResources':
        if (typeof value !== 'boolean') problems.push(typeError(value, name));
        else filters.subordinateResources = value;
        break;
      case 'RegistryPrefixes': {
        const list = stringList(value, name, problems, (item) => item in EVENT_REGISTRIES);
        if (list) filters.registryPrefixes = list;
        break;
      }
      case 'MessageIds': {
        const list = stringList(value, name, problems, isKnownMessageId);
        if (list) filters.messageIds = list;
        break;
      }
      case 'ResourceTypes': {
        // A type may be named by its schema name or an @odata.type (#Volume.v1_10_2.Volume).
        const names = Array.isArray(value)
          ? value.map((item) => (typeof item === 'string' ? item.replace(/^#/, '').split('.')[0]! : item))
          : value;
        const list = stringList(names, name, problems, (item) => ANNOUNCED_RESOURCE_TYPES.includes(item));
        if (list) filters.resourceTypes = list;
        break;
      }
      case 'EventTypes': {
        const list = stringList(value, name, problems, (item) => (EVENT_TYPES as readonly string[]).includes(item));
        if (list) filters.eventTypes = list as EventType[];
        break;
      }
      case 'OriginResources': {
        const ids = Array.isArray(value)
          ? value.map((link) => (link as { '@odata.id'?: unknown } | null)?.['@odata.id'])
          : value;
        const list = stringList(ids, name, problems, (item) => item.startsWith('/redfish/v1'));
        if (list) filters.originResources = list.map((id) => (id.length > 1 ? id.replace(/\/+$/, '') : id));
        break;
      }
      default:
        problems.push(
          baseMessage(READ_ONLY.has(name) ? 'PropertyNotWritable' : 'PropertyUnknown', [name], pointer(name)),
        );
    }
  }
  if (problems.length > 0 || destination === undefined) return problems;
  return {
    destination,
    protocol: 'Redfish',
    context,
    eventFormatType: 'Event',
    deliveryRetryPolicy,
    verifyCertificate,
    ...filters,
  };
}

/** The EventService settings a client may change, and the values each takes. */
const SETTINGS = {
  DeliveryRetryAttempts: { key: 'deliveryRetryAttempts', min: 0, max: 1000 },
  DeliveryRetryIntervalSeconds: { key: 'deliveryRetryIntervalSeconds', min: 1, max: 86_400 },
} as const;

/** A PATCH of the EventService the schema accepts (patch-body.ts): the retry settings, in range. */
export function readEventServicePatch(body: Record<string, unknown>): ChangeEventService | RedfishMessage[] {
  const problems: RedfishMessage[] = [];
  const command: { -readonly [K in keyof ChangeEventService]: ChangeEventService[K] } = { type: 'ChangeEventService' };
  for (const [name, setting] of Object.entries(SETTINGS)) {
    const value = body[name];
    if (typeof value !== 'number') continue;
    if (value < setting.min || value > setting.max)
      problems.push(baseMessage('PropertyValueOutOfRange', [String(value), name], pointer(name)));
    else command[setting.key] = value;
  }
  return problems.length > 0 ? problems : command;
}
