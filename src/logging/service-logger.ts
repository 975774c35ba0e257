import { pino, type DestinationStream, type Logger } from 'pino';
import { ConfigError } from '../config/load-config.js';
import { readableLine } from './readable-lines.js';

/** The levels `serve --log-level` and the `log.level` key take, most to least verbose. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

export interface ServiceLogOptions {
  readonly level?: LogLevel;
  /** JSON lines appended to this file; standard output when absent. */
  readonly file?: string;
  /** Where lines go when there is no file (tests pass their own). */
  readonly stdout?: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Paths pino blanks out should anything ever log a request's headers or a body: the request
 * log writes only fields of its own (src/redfish/request-log.ts), this is the second lock.
 */
const REDACTED = [
  'req.headers.authorization',
  'req.headers["x-auth-token"]',
  'req.headers.cookie',
  'res.headers["x-auth-token"]',
  'res.headers["set-cookie"]',
  'body.Password',
  'body.password',
];

/**
 * The log file, opened to append, or a message saying why it cannot be. Its directory must
 * exist: the log lives where the operator's other logs do, and a typo should not make a tree.
 * Writes are synchronous, so the line of the last request before a crash is in the file.
 */
function openLogFile(file: string): DestinationStream {
  try {
    return pino.destination({ dest: file, append: true, sync: true });
  } catch (err) {
    throw new ConfigError(`cannot open the log file ${file} (log.file): ${(err as Error).message}`);
  }
}

/**
 * The service's logger: pino, which fastify logs through. JSON lines to a file or to standard
 * output; on a terminal, readable lines instead, since nobody reads JSON scrolling by.
 */
export function serviceLogger(options: ServiceLogOptions = {}): Logger {
  const stdout = options.stdout ?? process.stdout;
  let destination: DestinationStream;
  if (options.file !== undefined) {
    destination = openLogFile(options.file);
  } else if (stdout.isTTY) {
    destination = { write: (line: string) => stdout.write(readableLine(line)) };
  } else if (stdout === process.stdout) {
    // Standard output as pino writes it best: lines gather up to 4 KiB and go out in one system
    // call, rather than one per request (a pipe to a log collector is written synchronously
    // otherwise); a quiet service's lines go out within 250 ms, and what is left at exit.
    const batched = pino.destination({ dest: 1, sync: false, minLength: 4096 });
    setInterval(() => batched.flush(), 250).unref();
    destination = batched;
  } else {
    destination = stdout;
  }
  return pino(
    {
      level: options.level ?? DEFAULT_LOG_LEVEL,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    destination,
  );
}
