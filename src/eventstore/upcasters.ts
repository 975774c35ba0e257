import { ExplainedError } from '../explained-error.js';
import type { EventMeta, RecordedEvent } from './event.js';
import { STORAGE_UPCASTERS } from '../domain/storage/storage-upcasters.js';

/**
 * One step of an event type's payload history: reads the payload as version `fromVersion`
 * wrote it and returns it as version `fromVersion + 1` has it. Pure and total: no clock, no
 * store, no other event; an event it cannot make sense of is a bug in the upcaster.
 */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  upcast(data: unknown, event: RecordedEvent): unknown;
}

/** How a reader turns stored events into what the code reads: upcast them, or take them as stored. */
export interface EventReading {
  upcast(event: RecordedEvent): RecordedEvent;
}

/** Events exactly as stored: for export, which copies the log, not what this build makes of it. */
export const AS_STORED: EventReading = { upcast: (event) => event };

/** An event written by a newer build, in a payload version this one cannot read. */
export class NewerEventError extends ExplainedError {}

/**
 * The payload versions of event types and the upcasters between them. An event without
 * `meta.schemaVersion` is version 1. Every read of the log (readStream, readAfter, rebuild,
 * import, history) passes events through `upcast`, so deciders, projectors and reconcilers only
 * ever see the current payload of each type; appends stamp the current version on new events.
 */
export class Upcasters implements EventReading {
  private readonly steps = new Map<string, Map<number, Upcaster>>();
  private readonly current = new Map<string, number>();

  constructor(upcasters: readonly Upcaster[]) {
    for (const upcaster of upcasters) {
      if (!Number.isInteger(upcaster.fromVersion) || upcaster.fromVersion < 1) {
        throw new Error(
          `upcaster of ${upcaster.type}: fromVersion must be a whole number from 1, got ${upcaster.fromVersion}`,
        );
      }
      const steps = this.steps.get(upcaster.type) ?? new Map<number, Upcaster>();
      if (steps.has(upcaster.fromVersion))
        throw new Error(`two upcasters of ${upcaster.type} read version ${upcaster.fromVersion}`);
      steps.set(upcaster.fromVersion, upcaster);
      this.steps.set(upcaster.type, steps);
    }
    // Each type's chain must run 1 → 2 → … → current without a gap, or some stored version
    // would have no way to the current one.
    for (const [type, steps] of this.steps) {
      const latest = Math.max(...steps.keys()) + 1;
      for (let version = 1; version < latest; version += 1) {
        if (!steps.has(version))
          throw new Error(`${type} has upcasters up to version ${latest} but none from version ${version}`);
      }
      this.current.set(type, latest);
    }
  }

  /** The payload version appends of `type` write: 1 unless upcasters lead further. */
  currentVersion(type: string): number {
    return this.current.get(type) ?? 1;
  }

  /**
   * The meta an appended event is stored with: the current payload version of its type, when
   * that is past 1 (version 1 is left implicit, so logs of types never changed stay as written).
   * A version the caller set is kept: that is how a test or a migration writes an older payload.
   */
  stamp(type: string, meta: EventMeta): EventMeta {
    const version = this.currentVersion(type);
    return version === 1 || meta.schemaVersion !== undefined ? meta : { ...meta, schemaVersion: version };
  }

  /** The event with its payload in the current version of its type, and meta saying so. */
  upcast(event: RecordedEvent): RecordedEvent {
    const stored = event.meta.schemaVersion ?? 1;
    const current = this.currentVersion(event.type);
    if (stored === current) return event;
    if (stored > current) {
      throw new NewerEventError(
        `event ${event.position} (${event.type}) has payload version ${stored}, newer than this build's ${current}; upgrade redfish-emulator`,
      );
    }
    const steps = this.steps.get(event.type)!;
    let data = event.data;
    for (let version = stored; version < current; version += 1) data = steps.get(version)!.upcast(data, event);
    return { ...event, data, meta: { ...event.meta, schemaVersion: current } };
  }
}

/**
 * The upcasters of this build, one entry per payload change, in any order. How to change a
 * payload: README.md, "Changing an event's payload".
 */
export const EVENT_UPCASTERS = new Upcasters([...STORAGE_UPCASTERS]);
