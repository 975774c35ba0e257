/**
 * Change notifications (lab.notifications): each attempt to PUT a changed system to the
 * configured URL, and what came of it. They change no resource, so they are kept in a stream
 * of their own, outside /redfish, that no projector reads; each event's subject is the system,
 * so history by resource finds it beside the change it tells of.
 */
export const NOTIFICATIONS_STREAM = '/emulator/v1/Notifications';

/** What every outcome names: the receiver, the change (its log position) and which attempt this was (from 1). */
interface AttemptOf {
  readonly url: string;
  readonly changePosition: number;
  readonly attempt: number;
}

/** The receiver took the system (a 2xx answer): what was sent, and the status. */
export interface NotificationDelivered {
  readonly type: 'NotificationDelivered';
  readonly data: AttemptOf & { readonly status: number; readonly system: unknown };
}

/** An attempt failed (refused, no answer, a status other than 2xx); the next one is tried after `retryInSeconds`. */
export interface NotificationAttemptFailed {
  readonly type: 'NotificationAttemptFailed';
  readonly data: AttemptOf & { readonly message: string; readonly retryInSeconds: number };
}

/** The last attempt allowed (lab.notifications.attempts) failed: this change is not sent, the next ones are. */
export interface NotificationAbandoned {
  readonly type: 'NotificationAbandoned';
  readonly data: AttemptOf & { readonly message: string };
}

export type NotificationEvent = NotificationDelivered | NotificationAttemptFailed | NotificationAbandoned;
