/** Fields the request log writes (src/redfish/request-log.ts), shown in a fixed order. */
interface LogRecord {
  readonly time?: string;
  readonly level?: number;
  readonly msg?: string;
  readonly reqId?: string;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly ms?: number;
  readonly actor?: string;
  readonly messageIds?: readonly string[];
  readonly err?: { readonly stack?: string; readonly message?: string };
}

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * One JSON log line as a person reads it on a terminal:
 * `15:20:01.123 INFO  req-7 user:admin POST /redfish/v1/… 400 2.1 ms Base.1.22.PropertyMissing`.
 * A line that is not a record pino wrote passes through unchanged.
 */
export function readableLine(json: string): string {
  let record: LogRecord;
  try {
    record = JSON.parse(json) as LogRecord;
  } catch {
    return json;
  }
  const time = record.time?.slice(11, 23) ?? '';
  const level = (LEVEL_NAMES[record.level ?? 30] ?? String(record.level)).padEnd(5);
  const parts = [time, level];
  if (record.method !== undefined) {
    parts.push(record.reqId ?? '-', record.actor ?? '-', record.method, record.path ?? '', String(record.status ?? ''));
    if (record.ms !== undefined) parts.push(`${record.ms} ms`);
    if (record.messageIds?.length) parts.push(record.messageIds.join(','));
  } else {
    if (record.reqId !== undefined) parts.push(record.reqId);
    parts.push(record.msg ?? '');
  }
  const stack = record.err?.stack ?? record.err?.message;
  return `${parts.join(' ')}${stack ? `\n${stack}` : ''}\n`;
}
