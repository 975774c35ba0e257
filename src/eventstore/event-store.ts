import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';
import { WrongExpectedVersionError } from './conflict.js';
import type { AppendRequest, AppendResult, EventMeta, RecordedEvent } from './event.js';
import { NO_VIEWS, type InlineViews, type Projector, type ViewWriter } from './projector.js';
import { CommitNotifier } from './commit-notifier.js';
import { OtherWriters } from './other-writers.js';
import { StoreFacts } from './store-facts.js';
import { EVENT_UPCASTERS, type EventReading, type Upcasters } from './upcasters.js';

/**
 * The columns of an event, in the order `eventFromRow` reads them. Statements select them as
 * arrays (better-sqlite3's raw mode): building a keyed object per row cost a third of a rebuild.
 */
export const EVENT_COLUMNS = 'position, stream_id, stream_version, subject, type, data, meta, recorded_at';

/** A row selected with EVENT_COLUMNS in raw mode. */
export type EventRow = readonly [
  position: number,
  streamId: string,
  streamVersion: number,
  subject: string,
  type: string,
  data: string,
  meta: string,
  recordedAt: string,
];

/**
 * A stored row as the code reads it: with its payload upcast to the current version of its type
 * (`reading`), or as stored when the caller copies the log (AS_STORED).
 */
export function eventFromRow(row: EventRow, reading: EventReading = EVENT_UPCASTERS): RecordedEvent {
  return reading.upcast({
    position: row[0],
    streamId: row[1],
    streamVersion: row[2],
    subject: row[3],
    type: row[4],
    data: JSON.parse(row[5]) as unknown,
    meta: JSON.parse(row[6]) as EventMeta,
    recordedAt: row[7],
  });
}

export interface EventStoreOptions {
  /** Run inline, in the append's transaction, for every event appended. */
  readonly projectors?: readonly Projector[];
  /** Where the projectors write, inside each append's transaction (needed when there are projectors). */
  readonly views?: InlineViews;
  /** The time stamped on appended events; injectable so tests and replays are deterministic. */
  readonly clock?: () => Date;
  /** The payload versions of event types and how older ones are read (default: this build's). */
  readonly upcasters?: Upcasters;
}

/**
 * The append-only event log on SQLite. Appends check the stream's expected version and run the
 * inline projectors in one IMMEDIATE transaction, so either the events and every view change
 * they cause are committed together, or nothing is. Nothing here updates or deletes an event.
 */
export class EventStore {
  readonly views: InlineViews;
  readonly commits = new CommitNotifier();
  private readonly projectors: readonly Projector[];
  private readonly clock: () => Date;
  /** How this store reads older payloads; other readers of its log (history) use the same. */
  readonly upcasters: Upcasters;
  private readonly insertEvent: Statement;
  private readonly selectStreamVersion: Statement<[string], { version: number | null }>;
  private readonly selectStream: Statement<[string, number], EventRow>;
  private readonly selectAfter: Statement<[number, number], EventRow>;
  private readonly selectLastPosition: Statement<[], { position: number | null }>;
  /**
   * Each stream's version as this connection last wrote or read it, so an append need not ask
   * SQLite for max(stream_version), nor a load of a stream that did not move read it again.
   * Trusted once `otherWriters` found no commit by another connection since (all of it is
   * dropped when one did); dropped when a transaction rolls back. (An import writes events
   * through this connection only into an empty log, before any append.)
   */
  private readonly streamVersions = new Map<string, number>();
  /** Whether knownStreamVersion looked for other connections' commits in this turn of the event loop. */
  private lookedThisTurn = false;
  private readonly otherWriters: OtherWriters;
  private readonly facts: StoreFacts;
  private readonly saveCheckpointFacts: (name: string, position: number, ahead: readonly number[]) => void;
  private readonly appendInTransaction: (requests: readonly AppendRequest[]) => AppendResult[];

  constructor(
    readonly db: SqliteDatabase,
    options: EventStoreOptions = {},
  ) {
    this.projectors = options.projectors ?? [];
    this.clock = options.clock ?? (() => new Date());
    this.upcasters = options.upcasters ?? EVENT_UPCASTERS;
    if (this.projectors.length > 0 && !options.views)
      throw new Error('an event store with projectors needs the views they write');
    this.views = options.views ?? NO_VIEWS;
    this.insertEvent = db.prepare(
      `INSERT INTO events (stream_id, stream_version, subject, type, data, meta, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectStreamVersion = db.prepare('SELECT max(stream_version) AS version FROM events WHERE stream_id = ?');
    this.selectStream = db
      .prepare<[string, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version`,
      )
      .raw();
    this.selectAfter = db
      .prepare<[number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
      )
      .raw();
    this.selectLastPosition = db.prepare('SELECT max(position) AS position FROM events');
    this.otherWriters = new OtherWriters(db);
    this.facts = new StoreFacts(db);
    this.saveCheckpointFacts = db.transaction((name: string, position: number, ahead: readonly number[]) => {
      this.facts.put(`checkpoint:${name}`, String(position));
      if (ahead.length > 0) this.facts.put(`checkpoint-ahead:${name}`, ahead.join(','));
      else this.facts.delete(`checkpoint-ahead:${name}`);
    });
    const transaction = db.transaction((requests: readonly AppendRequest[]) => {
      // The write lock is held from here: what other connections committed is now all there is.
      this.forgetWhatOthersChanged();
      const results = requests.map((request) => this.appendOne(request, this.views.writer));
      this.views.flush();
      return results;
    });
    this.appendInTransaction = (requests) => {
      // Inside a caller's transaction, which may still roll back: remember nothing past it.
      const nested = db.inTransaction;
      try {
        const results = transaction.immediate(requests);
        this.views.commit();
        if (nested) {
          this.streamVersions.clear();
          this.views.invalidate();
        }
        return results;
      } catch (err) {
        this.views.rollback();
        this.streamVersions.clear();
        throw err;
      }
    };
  }

  /** Appends events to one stream, atomically, with their projections. */
  append(request: AppendRequest): AppendResult {
    return this.appendAll([request])[0]!;
  }

  /**
   * Appends to several streams in one transaction: all requests are written, or none is (a
   * WrongExpectedVersionError on any of them rolls back every one).
   */
  appendAll(requests: readonly AppendRequest[]): AppendResult[] {
    const results = this.appendInTransaction(requests);
    const last = results.at(-1);
    if (last) this.commits.notify(last.lastPosition);
    return results;
  }

  private appendOne(request: AppendRequest, views: ViewWriter): AppendResult {
    if (request.events.length === 0) throw new Error(`append to ${request.streamId} has no events`);
    const current = this.streamVersions.get(request.streamId) ?? this.streamVersion(request.streamId);
    if (request.expectedVersion !== 'any' && request.expectedVersion !== current) {
      throw new WrongExpectedVersionError(request.streamId, request.expectedVersion, current);
    }
    const recordedAt = this.clock().toISOString();
    let version = current;
    let firstPosition = 0;
    let position = 0;
    for (const event of request.events) {
      version += 1;
      const meta: EventMeta = this.upcasters.stamp(event.type, { ...request.meta, ...event.meta });
      const subject = event.subject ?? request.streamId;
      const info = this.insertEvent.run(
        request.streamId,
        version,
        subject,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(meta),
        recordedAt,
      );
      position = Number(info.lastInsertRowid);
      if (firstPosition === 0) firstPosition = position;
      // Projectors see the current payload even when the caller wrote an older version on purpose.
      const recorded: RecordedEvent = this.upcasters.upcast({
        position,
        streamId: request.streamId,
        streamVersion: version,
        subject,
        type: event.type,
        data: event.data,
        meta,
        recordedAt,
      });
      for (const projector of this.projectors) projector.apply(recorded, views);
    }
    this.streamVersions.set(request.streamId, version);
    return { streamId: request.streamId, streamVersion: version, firstPosition, lastPosition: position };
  }

  /** What this connection remembers of streams and views is dropped once another connection committed. */
  private forgetWhatOthersChanged(): void {
    if (!this.otherWriters.committed()) return;
    this.streamVersions.clear();
    this.views.invalidate();
  }

  /**
   * The stream's version when this connection knows it without reading the stream (it wrote or
   * read the stream's last event, and no other connection committed since); undefined otherwise.
   * Other connections' commits are looked for once a turn of the event loop: a look costs as
   * much as reading the stream (a read transaction), and a commit made during a turn is seen
   * from the next, as if it had come a moment later. An append looks again under its lock.
   */
  knownStreamVersion(streamId: string): number | undefined {
    if (!this.lookedThisTurn) {
      this.lookedThisTurn = true;
      setImmediate(() => (this.lookedThisTurn = false)).unref();
      this.forgetWhatOthersChanged();
    }
    return this.streamVersions.get(streamId);
  }

  /** The stream's current version: the number of events in it (0 when it does not exist). */
  streamVersion(streamId: string): number {
    return this.selectStreamVersion.get(streamId)?.version ?? 0;
  }

  /** The stream's events after `afterVersion`, oldest first. */
  readStream(streamId: string, afterVersion = 0): RecordedEvent[] {
    const events = this.selectStream.all(streamId, afterVersion).map((row) => eventFromRow(row, this.upcasters));
    const last = events.at(-1);
    if (last) this.streamVersions.set(streamId, last.streamVersion);
    return events;
  }

  /** Up to `limit` events after a global position, in order. */
  readAfter(afterPosition: number, limit = 1000): RecordedEvent[] {
    return this.selectAfter.all(afterPosition, limit).map((row) => eventFromRow(row, this.upcasters));
  }

  /** Every event after `afterPosition`, streamed in pages so a long log is never held at once. */
  *readAllAfter(afterPosition = 0, pageSize = 5000): IterableIterator<RecordedEvent> {
    let cursor = afterPosition;
    for (;;) {
      const page = this.readAfter(cursor, pageSize);
      yield* page;
      if (page.length < pageSize) return;
      cursor = page.at(-1)!.position;
    }
  }

  /** Where a named consumer of the log (a reconciler) got to; undefined if it never ran. */
  checkpoint(name: string): number | undefined {
    const value = this.facts.get(`checkpoint:${name}`);
    return value === undefined ? undefined : Number(value);
  }

  /**
   * The events after a consumer's checkpoint it had already handled when it saved it: a consumer
   * that works on several events at once finishes some before older ones.
   */
  checkpointAhead(name: string): number[] {
    return (this.facts.get(`checkpoint-ahead:${name}`) ?? '').split(',').filter(Boolean).map(Number);
  }

  /** Saves a consumer's place and the events after it already handled (none by default), together. */
  saveCheckpoint(name: string, position: number, ahead: readonly number[] = []): void {
    this.saveCheckpointFacts(name, position, ahead);
  }

  /** Drops a consumer's place: it starts afresh the next time it runs. */
  forgetCheckpoint(name: string): void {
    this.facts.delete(`checkpoint:${name}`);
    this.facts.delete(`checkpoint-ahead:${name}`);
  }

  /**
   * A secret that must outlive a restart but never enter the log (a password an image server
   * wants): kept beside it, not exported, not replayed, forgotten once used.
   */
  secret(key: string): string | undefined {
    return this.facts.get(`secret:${key}`);
  }

  saveSecret(key: string, value: string): void {
    this.facts.put(`secret:${key}`, value);
  }

  forgetSecret(key: string): void {
    this.facts.delete(`secret:${key}`);
  }

  /** The position of the newest event (0 for an empty log). */
  lastPosition(): number {
    return this.selectLastPosition.get()?.position ?? 0;
  }
}
