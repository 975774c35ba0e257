import type { RecordedEvent } from '../eventstore/event.js';
import { historyEntry } from '../eventstore/history-entry.js';
import type { ViewDocument } from '../eventstore/projector.js';
import type { ViewReader } from '../views/view-reader.js';
import { loggedMessageOf } from './event-messages.js';

/**
 * An event as history shows it, in the History API and in `history --json` alike: its history
 * entry and, for events of a system, the Redfish message its BMC's log gives it (MessageId and
 * Message), null for the others.
 */
export function describedHistoryEntry(event: RecordedEvent, views: ViewReader) {
  const description = loggedMessageOf(event, (id) => {
    const view = views.get(id);
    return view && (JSON.parse(view.body) as ViewDocument);
  });
  const message = description
    ? {
        MessageId: description.message.MessageId,
        Message: `${description.message.Message} ${description.detail}`.trim(),
      }
    : null;
  return { ...historyEntry(event), message };
}
