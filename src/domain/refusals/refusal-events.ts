/**
 * Requests the service refused (a 4xx answer to a POST, PATCH, PUT or DELETE). They change no
 * resource, so they are kept in a stream of their own, outside /redfish, that no projector reads;
 * each event's subject is the resource the request's URL named, so history by resource finds it
 * beside the accepted events of that resource.
 */
export const REFUSALS_STREAM = '/emulator/v1/RefusedRequests';

/** A mutating request answered with a 4xx: who sent what, and the DMTF error it got. */
export interface RequestRefused {
  readonly type: 'RequestRefused';
  readonly data: {
    /** First, so the one-line forms of history (which clip the payload) show why. */
    readonly status: number;
    readonly messageIds: readonly string[];
    readonly method: string;
    readonly path: string;
    readonly clientAddress: string;
    /** The user name a refused login (401) tried, when it named one; never its password. */
    readonly userName?: string;
    /** The body as sent, secrets replaced by '[redacted]'; absent when it had none. */
    readonly body?: unknown;
    /** Set when the body was larger than the limit: its size, and `body` holds its first bytes as text. */
    readonly bodyBytes?: number;
    /** The aggregate a command was decided for and refused by, when the route got that far (see meta.command). */
    readonly commandStream?: string;
  };
}

/** One bucket of refusals left out of the log by the limits: who, where, and how many. */
export interface DroppedRefusals {
  readonly who: string;
  readonly method: string;
  readonly path: string;
  readonly count: number;
}

/**
 * The refusals of one window that the limits left out, counted: written once the window is
 * over, so a burst adds at most the limits' worth of events and this one.
 */
export interface RequestRefusalsDropped {
  readonly type: 'RequestRefusalsDropped';
  readonly data: {
    readonly dropped: number;
    readonly since: string;
    readonly until: string;
    /** The buckets with the most drops first, at most MAX_DROPPED_BUCKETS of them. */
    readonly buckets: readonly DroppedRefusals[];
  };
}

/** How many buckets a summary lists; the count covers all of them. */
export const MAX_DROPPED_BUCKETS = 20;

export type RefusalEvent = RequestRefused | RequestRefusalsDropped;
