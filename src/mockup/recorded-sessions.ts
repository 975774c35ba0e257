import type { ViewReader } from '../views/view-reader.js';
import type { RecordedSessions } from '../redfish/auth/auth-plugin.js';
import { memberIds } from './collection-members.js';

const SESSIONS = '/redfish/v1/SessionService/Sessions';

/**
 * The sessions a mockup's tree recorded (its resources link to them, e.g. an
 * OutboundConnection's session), served as the tree has them beside the service's real ones:
 * read-only, and no token opens them, since nobody logged in to this service to make them.
 */
export function mockupRecordedSessions(views: ViewReader): RecordedSessions {
  const ids = (): string[] => {
    const collection = views.get(SESSIONS);
    if (!collection) return [];
    return memberIds(JSON.parse(collection.body) as Record<string, unknown>)
      .filter((id) => id.startsWith(`${SESSIONS}/`) && views.get(id) !== undefined)
      .map((id) => id.slice(SESSIONS.length + 1));
  };
  return {
    ids,
    body: (id) => (ids().includes(id) ? views.get(`${SESSIONS}/${id}`)?.body : undefined),
  };
}
