import type { FastifyBaseLogger } from 'fastify';

/**
 * fastify's logger, reduced to what an operator needs: warnings and errors on standard error.
 * fastify builds a child logger for every request; this one hands back itself, so a GET pays
 * nothing for logging it does not do. Request headers are never logged, so no credential is.
 */
export function warningLogger(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): FastifyBaseLogger {
  const emit = (level: string) => (first: unknown, message?: string) => {
    const err = first instanceof Error ? first : (first as { err?: unknown } | undefined)?.err;
    const text = typeof first === 'string' ? first : (message ?? '');
    write(`redfish-emulator: ${level}: ${text}${err instanceof Error ? ` ${err.stack ?? err.message}` : ''}`);
  };
  const ignore = () => undefined;
  const logger = {
    level: 'warn',
    fatal: emit('fatal'),
    error: emit('error'),
    warn: emit('warn'),
    info: ignore,
    debug: ignore,
    trace: ignore,
    silent: ignore,
    child: () => logger,
  };
  return logger as unknown as FastifyBaseLogger;
}
