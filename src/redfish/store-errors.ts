import { RedfishHttpError } from './redfish-error.js';

/** How long a client is asked to wait when the store is held by another writer for a moment. */
const BUSY_RETRY_SECONDS = 1;

/**
 * The answer to a request the event store could not write, as the client should see it: the
 * disk (or the database's size limit) full is 507 InsufficientStorage; a lock held too long by
 * another writer is 503 with Retry-After. Either way the write's transaction was rolled back, so
 * nothing of the request was recorded. Undefined for any other error.
 */
export function fromStoreError(error: unknown): RedfishHttpError | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  if (
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_IOERR_WRITE' ||
    code === 'SQLITE_IOERR_FSYNC' ||
    code === 'SQLITE_IOERR_TRUNCATE'
  ) {
    return RedfishHttpError.of(507, 'InsufficientStorage');
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return RedfishHttpError.of(503, 'ServiceTemporarilyUnavailable', [String(BUSY_RETRY_SECONDS)]).withHeaders({
      'Retry-After': String(BUSY_RETRY_SECONDS),
    });
  }
  return undefined;
}
