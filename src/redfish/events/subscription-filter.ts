import type { SubscriptionSpec } from '../../domain/event-service/event-service-events.js';
import type { Announcement } from '../../projections/event-messages.js';
import { EVENT_REGISTRIES } from '../../registries/event-registries.js';

/**
 * Whether a subscription wants a record: it must pass every filter the subscription gives
 * (RegistryPrefixes, MessageIds, ResourceTypes, OriginResources with SubordinateResources, and
 * the deprecated EventTypes); a filter not given lets everything through.
 */
export function wants(spec: SubscriptionSpec, announcement: Announcement): boolean {
  if (spec.registryPrefixes && !spec.registryPrefixes.includes(announcement.registry)) return false;
  if (spec.messageIds && !spec.messageIds.some((id) => namesMessage(id, announcement))) return false;
  if (spec.resourceTypes && !spec.resourceTypes.includes(announcement.resourceType)) return false;
  if (spec.eventTypes && !spec.eventTypes.includes(announcement.eventType)) return false;
  if (spec.originResources) {
    const origin = announcement.origin;
    const covered = spec.originResources.some(
      (resource) => origin === resource || (spec.subordinateResources === true && origin.startsWith(`${resource}/`)),
    );
    if (!covered) return false;
  }
  return true;
}

/** A MessageIds entry names a message as Prefix.Key, Prefix.Major.Minor.Key or Prefix.Major.Minor.Errata.Key. */
function namesMessage(entry: string, announcement: Announcement): boolean {
  const parts = entry.split('.');
  if (parts.length < 2 || parts[0] !== announcement.registry || parts.at(-1) !== announcement.messageId) return false;
  const version = parts.slice(1, -1);
  const registryVersion = EVENT_REGISTRIES[announcement.registry].id.split('.').slice(1);
  return version.every((part, i) => part === registryVersion[i]);
}
