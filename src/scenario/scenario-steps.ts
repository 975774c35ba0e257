import type { RecordedEvent } from '../eventstore/event.js';
import type { ScenarioOutcome, ScenarioStep } from './scenario-format.js';
import { MARKS_STREAM } from '../domain/marks/marks-decider.js';
import { REFUSALS_STREAM, type RequestRefused } from '../domain/refusals/refusal-events.js';

/** Who records events on the emulator's own account; every other actor is a client. */
export const INTERNAL_ACTORS: ReadonlySet<string> = new Set([
  'emulator',
  'lab-config',
  'reconciler',
  'libvirt-observer',
  'event-dispatcher',
  'update-service',
]);

/** Internal actors whose events a fresh lab makes itself from its config: not part of a scenario. */
const FROM_CONFIG: ReadonlySet<string> = new Set(['emulator', 'lab-config']);

/** A client's event that does not carry its command: a replay could not send it again. */
export class UnreplayableEventError extends Error {}

/**
 * What the lab did that a replay on a live sandbox should wait for, as a key two runs agree on:
 * the outcome of a request (a reset carried out, media inserted, a volume made), a power change
 * libvirt reported, a boot, a rebuild finished. Undefined for what depends on timing rather
 * than on what the client did (rebuild percentages on the way, a pause while QEMU starts, drift
 * the lab noticed, what the observer read of a domain's definition).
 */
export function outcomeKey(outcome: Pick<ScenarioOutcome, 'actor' | 'type' | 'streamId' | 'data'>): string | undefined {
  const data = outcome.data as Record<string, unknown>;
  if (outcome.actor === 'reconciler') {
    if (outcome.type === 'VolumeRebuildProgressed')
      return data['percent'] === 100 ? `${outcome.type} ${outcome.streamId} ${String(data['volumeId'])}` : undefined;
    if (outcome.type === 'VolumeBackingLost' || outcome.type === 'VolumeBackingRestored') return undefined;
    return `${outcome.type} ${outcome.streamId}`;
  }
  if (outcome.actor === 'libvirt-observer') {
    if (outcome.type === 'PowerStateObserved' && data['powerState'] !== 'Paused')
      return `${outcome.type} ${outcome.streamId} ${String(data['powerState'])}`;
    if (outcome.type === 'SystemBooted') return `${outcome.type} ${outcome.streamId}`;
  }
  return undefined;
}

/** Which part of the log a scenario is, and whose steps it holds. */
export interface StepSelection {
  /** Lines before it set the lab up: they are in the scenario, marked as setup. */
  readonly fromPosition: number;
  readonly toPosition: number;
  /** Only this client's steps, and the outcomes that followed them (all clients' when absent). */
  readonly actor?: string;
}

/**
 * A log (events in position order) as a scenario's lines, up to the selection's end: each
 * client command one step (the events it caused were appended together), and each event the lab
 * recorded on its own account (the reconciler, the libvirt observer, the event dispatcher) one
 * outcome, in log order. What the emulator records from its config is left out: a fresh lab
 * records it again from the same config.
 */
export function scenarioLines(
  events: Iterable<RecordedEvent>,
  selection: StepSelection,
): (ScenarioStep | ScenarioOutcome)[] {
  const lines: (ScenarioStep | ScenarioOutcome)[] = [];
  let current: { step: ScenarioStep; meta: string; events: string[] } | undefined;
  /** Whether the outcomes seen now follow a step that is kept (or no step yet). */
  let keeping = true;
  for (const event of events) {
    if (event.position > selection.toPosition) break;
    const { actor = 'anonymous', command, requestId } = event.meta;
    const setup = event.position < selection.fromPosition ? { setup: true as const } : {};
    if (FROM_CONFIG.has(actor) || event.streamId === MARKS_STREAM) continue;
    if (event.streamId === REFUSALS_STREAM) {
      // A command its aggregate refused is a step that expects the same refusal; a request
      // refused before it became a command (its body, its credentials) cannot be sent again as one.
      const refused = event.data as RequestRefused['data'];
      current = undefined;
      if (
        command &&
        refused.commandStream !== undefined &&
        (selection.actor === undefined || actor === selection.actor)
      ) {
        lines.push({
          kind: 'step',
          position: event.position,
          recordedAt: event.recordedAt,
          streamId: refused.commandStream,
          actor,
          ...(requestId !== undefined && { requestId }),
          command,
          events: [],
          refused: { status: refused.status, messageIds: refused.messageIds },
          ...setup,
        });
      }
      continue;
    }
    if (INTERNAL_ACTORS.has(actor)) {
      current = undefined;
      if (keeping) {
        const ids = {
          ...(requestId !== undefined && { requestId }),
          ...(event.meta.causationId !== undefined && { causationId: event.meta.causationId }),
        };
        lines.push({
          kind: 'outcome',
          position: event.position,
          recordedAt: event.recordedAt,
          streamId: event.streamId,
          actor,
          ...ids,
          type: event.type,
          data: event.data,
          ...setup,
        });
      }
      continue;
    }
    if (!command) {
      throw new UnreplayableEventError(
        `event ${event.position} (${event.type} by ${actor}) does not record the command that caused it: it was recorded by an older build, and cannot be replayed`,
      );
    }
    const meta = `${event.streamId}\n${JSON.stringify(event.meta)}`;
    if (current && current.meta === meta) {
      current.events.push(event.type);
      continue;
    }
    keeping = selection.actor === undefined || actor === selection.actor;
    current = undefined;
    if (!keeping) continue;
    const step: ScenarioStep = {
      kind: 'step',
      position: event.position,
      recordedAt: event.recordedAt,
      streamId: event.streamId,
      actor,
      ...(requestId !== undefined && { requestId }),
      command,
      events: [event.type],
      ...setup,
    };
    current = { step, meta, events: step.events as string[] };
    lines.push(step);
  }
  return lines;
}
