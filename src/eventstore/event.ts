/** Who and what caused an event: carried with it so history can answer "who changed this, and why". */
export interface EventMeta {
  /** The HTTP request (or CLI invocation) that caused the event. */
  readonly requestId?: string;
  /** e.g. 'user:admin', 'session:…', 'reconciler', 'libvirt-observer', 'cli'. */
  readonly actor?: string;
  /** Ties together the events of one operation (e.g. a Redfish Task id). */
  readonly correlationId?: string;
  /** The position of the event that caused this one, when one did. */
  readonly causationId?: number;
  /** Version of this event type's payload, for upcasting older events on read. */
  readonly schemaVersion?: number;
  /**
   * The command a client sent (a Redfish request, a fault injection), on the events it caused:
   * what a scenario sends again when it is replayed (src/scenario/).
   */
  readonly command?: RecordedCommand;
}

/** A client's command as recorded: its type names it among the commands of its aggregate. */
export type RecordedCommand = { readonly type: string } & Readonly<Record<string, unknown>>;

/** An event about to be appended. Events are facts, named in the past tense. */
export interface NewEvent<Data = unknown> {
  readonly type: string;
  readonly data: Data;
  /** The @odata.id this event is about; defaults to the stream id. */
  readonly subject?: string;
  readonly meta?: EventMeta;
}

/** An event as stored: immutable, with its place in the global order and in its stream. */
export interface RecordedEvent<Data = unknown> {
  readonly position: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly subject: string;
  readonly type: string;
  readonly data: Data;
  readonly meta: EventMeta;
  /** ISO 8601 UTC time of the append. */
  readonly recordedAt: string;
}

/**
 * What the stream must look like for an append to go ahead: its current version (0 = must not
 * exist yet), or 'any' to skip the check.
 */
export type ExpectedVersion = number | 'any';

export interface AppendRequest {
  readonly streamId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly NewEvent[];
  /** Applied to every event of the request; an event's own meta wins key by key. */
  readonly meta?: EventMeta;
}

export interface AppendResult {
  readonly streamId: string;
  /** The stream's version after the append: pass it as the next expectedVersion. */
  readonly streamVersion: number;
  readonly firstPosition: number;
  readonly lastPosition: number;
}
