import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

/** How an https destination is trusted and what the emulator shows it of itself. */
export interface OutboundTls {
  /** Whether the destination's certificate must be trusted (by the system's CAs and `ca`). */
  readonly verifyCertificate: boolean;
  /** PEM certificates trusted besides the system's roots. */
  readonly ca?: readonly string[];
  /** A client certificate and its key (PEM), for a destination that asks for one. */
  readonly cert?: string;
  readonly key?: string;
}

export interface SendOptions {
  readonly method: 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  /** How long an attempt may take in all, connection included. */
  readonly timeoutMs: number;
  readonly tls: OutboundTls;
  readonly signal?: AbortSignal;
}

/**
 * Sends one JSON body to a destination that is told of something (an event subscriber, a change
 * notification's receiver). Resolves with the status when the destination answers 2xx; rejects
 * with why otherwise (a refused connection, a timeout, any other status): a failed attempt.
 */
export function sendRequest(destination: string, body: string, options: SendOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(destination);
    const { tls } = options;
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: options.method,
        headers: { ...options.headers, 'Content-Length': String(Buffer.byteLength(body)) },
        ...(url.protocol === 'https:' && {
          rejectUnauthorized: tls.verifyCertificate,
          ...(tls.ca && { ca: [...rootCertificates, ...tls.ca] }),
          ...(tls.cert !== undefined && { cert: tls.cert }),
          ...(tls.key !== undefined && { key: tls.key }),
        }),
        signal: options.signal,
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          clearTimeout(timer);
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(status);
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
