import { ExplainedError } from '../explained-error.js';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SqliteDatabase } from './database.js';
import type { RecordedEvent } from './event.js';
import { schemaVersion } from './migrations.js';
import { parseFileHeader } from './file-header.js';
import { eventsOf } from './events-of.js';
import { breathe, InterruptedError, PROGRESS_EVERY, type LongWork } from '../progress/long-work.js';
import { writeWholeFile } from '../write-whole-file.js';
import { EMULATOR_VERSION } from '../version.js';
import { AS_STORED, EVENT_UPCASTERS, NewerEventError, type EventReading } from './upcasters.js';

export const LOG_FORMAT = 'redfish-emulator-log';
export const LOG_FORMAT_VERSION = 1;

/** The first line of an exported log. */
export interface LogHeader {
  readonly format: typeof LOG_FORMAT;
  readonly formatVersion: number;
  readonly schemaVersion: number;
  readonly emulatorVersion: string;
  readonly exportedAt: string;
  /** Positions of the first and last event in the file; a complete log starts at 1. */
  readonly fromPosition: number;
  readonly toPosition: number;
  readonly count: number;
}

/** The file is not a log this build can import; nothing was written. */
export class LogFileError extends ExplainedError {}

/**
 * Writes the log (or the events up to `untilPosition`) as NDJSON: a header line, then one event
 * per line in position order. `target` is a path, or '-' for standard output; a path is written
 * whole or not at all (write-whole-file.ts). Events are written as stored, older payload
 * versions included: the file is a copy of the log, and the build that imports it upcasts them
 * as it reads them.
 */
export async function exportLog(
  db: SqliteDatabase,
  target: string,
  untilPosition?: number,
  work: LongWork = {},
  now = new Date(),
): Promise<LogHeader> {
  const { last, count } = db
    .prepare('SELECT coalesce(max(position), 0) AS last, count(*) AS count FROM events WHERE position <= ?')
    .get(untilPosition ?? Number.MAX_SAFE_INTEGER) as { last: number; count: number };
  const header: LogHeader = {
    format: LOG_FORMAT,
    formatVersion: LOG_FORMAT_VERSION,
    schemaVersion: schemaVersion(db),
    emulatorVersion: EMULATOR_VERSION,
    exportedAt: now.toISOString(),
    fromPosition: count === 0 ? 0 : 1,
    toPosition: last,
    count,
  };
  await writeWholeFile(target, async (out) => {
    let chunk = `${JSON.stringify(header)}\n`;
    let done = 0;
    for (const event of eventsOf(db, last, AS_STORED)) {
      chunk += `${JSON.stringify(event)}\n`;
      done += 1;
      if (done % PROGRESS_EVERY === 0) {
        work.onProgress?.(done, count);
        await breathe(work.signal);
      }
      if (chunk.length > 1 << 20) {
        out(chunk);
        chunk = '';
      }
    }
    out(chunk);
    work.onProgress?.(done, count);
  });
  return header;
}

function parseHeader(line: string | undefined, knownSchema: number): LogHeader {
  const refuse = (message: string) => new LogFileError(message);
  const header = parseFileHeader<LogHeader>(line ?? '', {
    kind: 'log',
    format: LOG_FORMAT,
    formatVersion: LOG_FORMAT_VERSION,
    knownSchema,
    refuse,
  });
  if (header.fromPosition !== 1 && header.count !== 0) {
    throw new LogFileError(
      `the log starts at position ${header.fromPosition}; only a complete log (from position 1) can be imported`,
    );
  }
  return header as LogHeader;
}

function checkEvent(
  value: unknown,
  expectedPosition: number,
  versions: Map<string, number>,
  lineNumber: number,
): RecordedEvent {
  const event = value as RecordedEvent;
  const wrong = (why: string) => new LogFileError(`line ${lineNumber}: ${why}`);
  if (typeof event !== 'object' || event === null) throw wrong('not an event object');
  if (event.position !== expectedPosition)
    throw wrong(`position ${event.position}, expected ${expectedPosition} (events missing or out of order)`);
  for (const key of ['streamId', 'subject', 'type', 'recordedAt'] as const) {
    if (typeof event[key] !== 'string' || event[key] === '') throw wrong(`'${key}' must be a non-empty string`);
  }
  if (!('data' in event)) throw wrong("'data' is missing");
  if (typeof event.meta !== 'object' || event.meta === null) throw wrong("'meta' must be an object");
  const expectedVersion = (versions.get(event.streamId) ?? 0) + 1;
  if (event.streamVersion !== expectedVersion) {
    throw wrong(`stream ${event.streamId} version ${event.streamVersion}, expected ${expectedVersion}`);
  }
  versions.set(event.streamId, expectedVersion);
  return event;
}

/** Makes the views of the imported events, inside the import's transaction. */
export type ProjectImportedLog = (events: readonly RecordedEvent[], work: LongWork) => Promise<void>;

/**
 * Imports an exported log into an empty, migrated store: every event keeps its position, stream
 * version and time, and the views are projected from them. All of it happens in one
 * transaction, after the whole file has been checked line by line, so a truncated, reordered or
 * edited file changes nothing, and neither does an interruption (`work.signal`) nor a kill.
 */
export async function importLog(
  db: SqliteDatabase,
  source: string,
  projectViews: ProjectImportedLog,
  work: LongWork = {},
  reading: EventReading = EVENT_UPCASTERS,
): Promise<LogHeader> {
  if ((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n > 0) {
    throw new LogFileError('the target store already has events; import into a new data directory');
  }
  const lines = createInterface({ input: createReadStream(source), crlfDelay: Infinity });
  let header: LogHeader | undefined;
  const events: RecordedEvent[] = [];
  const versions = new Map<string, number>();
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (!header) {
      header = parseHeader(line, schemaVersion(db));
      continue;
    }
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new LogFileError(`line ${lineNumber}: not valid JSON`);
    }
    events.push(checkEvent(parsed, events.length + 1, versions, lineNumber));
    if (events.length % PROGRESS_EVERY === 0) {
      work.onProgress?.(events.length, header.count, 'checking');
      if (work.signal?.aborted) throw new InterruptedError();
    }
  }
  // Stored as in the file; projected as this build reads them (a payload version it does not
  // know refuses the whole file before anything is written).
  let upcast: RecordedEvent[];
  try {
    upcast = events.map((event) => reading.upcast(event));
  } catch (err) {
    if (err instanceof NewerEventError) throw new LogFileError(err.message);
    throw err;
  }
  if (!header) throw new LogFileError('the file is empty');
  if (events.length !== header.count || (events.at(-1)?.position ?? 0) !== header.toPosition) {
    throw new LogFileError(
      `the header announces ${header.count} events up to position ${header.toPosition}, the file has ${events.length}: it is truncated or edited`,
    );
  }

  const insertEvent = db.prepare(
    `INSERT INTO events (position, stream_id, stream_version, subject, type, data, meta, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // One transaction, opened and closed by hand so that the event loop can run between slices
  // of it (an interruption rolls it all back); nothing else uses this connection meanwhile.
  db.exec('BEGIN IMMEDIATE');
  try {
    const total = events.length;
    for (let i = 0; i < total; i += PROGRESS_EVERY) {
      for (const e of events.slice(i, i + PROGRESS_EVERY)) {
        insertEvent.run(
          e.position,
          e.streamId,
          e.streamVersion,
          e.subject,
          e.type,
          JSON.stringify(e.data),
          JSON.stringify(e.meta),
          e.recordedAt,
        );
      }
      work.onProgress?.(Math.min(i + PROGRESS_EVERY, total), total, 'writing');
      await breathe(work.signal);
    }
    await projectViews(upcast, work);
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
  return header;
}
