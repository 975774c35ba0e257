import { eventMessage } from '../registries/event-registries.js';
import type { LoopFailure } from './loop-health.js';
import { streamOwner } from '../domain/stream-ids.js';

/** A system's or a storage's @odata.id is its stream's id. */
const isSystemOrStorage = (path: string) => streamOwner(path) !== undefined;
const MANAGER = /^\/redfish\/v1\/Managers\/[^/]+$/;

const RESOLUTION =
  'The service retries with backoff on its own; remove the cause (free disk space, bring libvirt back) and the condition clears.';

/**
 * The failing loops a resource's Status shows: a system those on its own work or its storage's,
 * a storage those on its own, a Manager (the BMC) the service's own loops, which are no one
 * resource's.
 */
export function failuresShownOn(path: string, failures: readonly LoopFailure[]): LoopFailure[] {
  if (isSystemOrStorage(path))
    return failures.filter(
      (f) => f.resource !== undefined && (f.resource === path || f.resource.startsWith(`${path}/`)),
    );
  if (MANAGER.test(path)) return failures.filter((f) => f.resource === undefined);
  return [];
}

/** A failing loop as a Resource.Condition: what fails, why, since when. */
function conditionOf(failure: LoopFailure): Record<string, unknown> {
  const message = eventMessage('ResourceEvent', 'ResourceErrorsDetected', [
    'Status',
    `${failure.name}: ${failure.lastError}`,
  ]);
  return {
    MessageId: message.MessageId,
    MessageArgs: message.MessageArgs,
    Message: `${message.Message} ${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'} failed in a row since ${failure.failingSince}.`,
    Severity: message.MessageSeverity,
    Timestamp: failure.failingSince,
    Resolution: RESOLUTION,
  };
}

/**
 * The view's body as served while loops that concern it fail: Health at least Warning (a
 * Critical one stays Critical) and a Condition per loop beside those the view holds. The view
 * itself is not changed: the failure is this process's observation, not the log's.
 */
export function withLoopFailures(path: string, body: string, failures: readonly LoopFailure[]): string {
  const shown = failuresShownOn(path, failures);
  if (shown.length === 0) return body;
  const document = JSON.parse(body) as Record<string, unknown>;
  const status = (document['Status'] ?? {}) as Record<string, unknown>;
  const conditions = Array.isArray(status['Conditions']) ? (status['Conditions'] as unknown[]) : [];
  document['Status'] = {
    ...status,
    Health: status['Health'] === 'Critical' ? 'Critical' : 'Warning',
    Conditions: [...conditions, ...shown.map(conditionOf)],
  };
  return JSON.stringify(document);
}

/**
 * The resource a loop's failure on an event of `streamId` is shown on: the system or storage the
 * event is about, else none (the Managers show it, as the service's own trouble).
 */
export function resourceOfStream(streamId: string): string | undefined {
  return isSystemOrStorage(streamId) ? streamId : undefined;
}
