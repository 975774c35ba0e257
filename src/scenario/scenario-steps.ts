import type { RecordedEvent } from '../eventstore/event.js';
import type { ScenarioStep } from './scenario-format.js';
import { MARKS_STREAM } from '../domain/marks/marks-decider.js';

/** Who records events on the emulator's own account; every other actor is a client. */
export const INTERNAL_ACTORS: ReadonlySet<string> = new Set(['emulator', 'lab-config', 'reconciler', 'libvirt-observer', 'event-dispatcher']);

/** A client's event that does not carry its command: a replay could not send it again. */
export class UnreplayableEventError extends Error {}

/**
 * What the lab did that a replay should wait for before it goes on, as a key two runs agree on:
 * the outcome of a request (a reset carried out, media inserted, a volume made), a power change
 * libvirt reported, a boot, a rebuild finished. Intermediate rebuild percentages and drift the
 * lab noticed on its own are left out: they depend on timing, not on what the client did.
 */
export function outcomeKey(event: RecordedEvent): string | undefined {
  const { actor } = event.meta;
  const data = event.data as Record<string, unknown>;
  if (actor === 'reconciler') {
    if (event.type === 'VolumeRebuildProgressed') return data['percent'] === 100 ? `${event.type} ${event.streamId} ${String(data['volumeId'])}` : undefined;
    if (event.type === 'VolumeBackingLost' || event.type === 'VolumeBackingRestored') return undefined;
    return `${event.type} ${event.streamId}`;
  }
  if (actor === 'libvirt-observer') {
    if (event.type === 'PowerStateObserved' && data['powerState'] !== 'Paused') return `${event.type} ${event.streamId} ${String(data['powerState'])}`;
    if (event.type === 'SystemBooted') return `${event.type} ${event.streamId}`;
  }
  return undefined;
}

/** Which part of the log a scenario is, and whose steps it holds. */
export interface StepSelection {
  /** Steps before it set the lab up: they are in the scenario, marked as setup. */
  readonly fromPosition: number;
  readonly toPosition: number;
  /** Only this client's steps (all clients' when absent). */
  readonly actor?: string;
}

/**
 * The client steps in a log (events in position order, up to the selection's end): the events of
 * one command, appended together, make one step, and the outcomes the lab recorded after it
 * (until the next step) are what it awaits.
 */
export function scenarioSteps(events: Iterable<RecordedEvent>, selection: StepSelection): ScenarioStep[] {
  const steps: ScenarioStep[] = [];
  let current: { step: ScenarioStep; meta: string; events: string[]; awaits: string[] } | undefined;
  const close = () => {
    if (current) steps.push({ ...current.step, events: current.events, awaits: current.awaits });
    current = undefined;
  };
  let open: { awaits: string[] } | undefined;
  for (const event of events) {
    if (event.position > selection.toPosition) break;
    const { actor = 'anonymous', command, requestId } = event.meta;
    if (INTERNAL_ACTORS.has(actor) || event.streamId === MARKS_STREAM) {
      const key = outcomeKey(event);
      if (key !== undefined && open) open.awaits.push(key);
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
    close();
    open = undefined;
    if (selection.actor !== undefined && actor !== selection.actor) continue;
    const step: ScenarioStep = {
      kind: 'step',
      position: event.position,
      recordedAt: event.recordedAt,
      streamId: event.streamId,
      actor,
      ...(requestId !== undefined && { requestId }),
      command,
      events: [],
      awaits: [],
      ...(event.position < selection.fromPosition && { setup: true as const }),
    };
    current = { step, meta, events: [event.type], awaits: [] };
    open = current;
  }
  close();
  return steps;
}
