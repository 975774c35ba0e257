import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

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
export function postEvent(destination: string, body: string, options: PostOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const url = new URL(destination);
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
          'OData-Version': '4.0',
        },
        ...(url.protocol === 'https:' && { rejectUnauthorized: options.verifyCertificate }),
        signal: options.signal,
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          clearTimeout(timer);
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`${destination} answered ${status}`));
        });
        response.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(
      () => request.destroy(new Error(`${destination} did not answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.end(body);
  });
}
