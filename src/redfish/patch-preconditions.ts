import type { IncomingHttpHeaders } from 'node:http';
import type { StoredView } from '../eventstore/projector.js';
import { etagMatches, etagOf } from './etag.js';
import { RedfishHttpError } from './redfish-error.js';

/** A PATCH sent with If-Match changes nothing when the resource moved on since the client read it: 412. */
export function requireIfMatch(headers: IncomingHttpHeaders, view: StoredView): void {
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined && !etagMatches(ifMatch, etagOf(view)))
    throw RedfishHttpError.of(412, 'PreconditionFailed');
}

/** A PATCH body is a JSON object; anything else is MalformedJSON. */
export function requireObjectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw RedfishHttpError.of(400, 'MalformedJSON');
  return body as Record<string, unknown>;
}
