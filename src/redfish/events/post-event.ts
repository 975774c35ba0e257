import { sendRequest } from '../../send-request.js';

export interface PostOptions {
  /** How long an attempt may take in all, connection included. */
  readonly timeoutMs: number;
  /** For https: whether the destination's certificate must be trusted by the system's CAs. */
  readonly verifyCertificate: boolean;
  readonly signal?: AbortSignal;
}

/**
 * POSTs one Event payload to a subscriber. Resolves when the destination answers 2xx; rejects
 * with why otherwise (a refused connection, a timeout, any other status), as DSP0266 counts a
 * failed delivery.
 */
export async function postEvent(destination: string, body: string, options: PostOptions): Promise<void> {
  await sendRequest(destination, body, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'OData-Version': '4.0' },
    timeoutMs: options.timeoutMs,
    tls: { verifyCertificate: options.verifyCertificate },
    ...(options.signal && { signal: options.signal }),
  });
}
