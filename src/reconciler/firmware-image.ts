import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { FirmwareFailureReason } from '../domain/firmware/firmware-events.js';

export interface ImageFetchOptions {
  /** PEM certificates to trust besides the system's, for an image served over HTTPS. */
  readonly ca?: string;
  readonly username?: string;
  readonly password?: string;
  /** How long the server may stay silent before the fetch gives up. */
  readonly idleTimeoutMs?: number;
  /** Ends the fetch at once (the emulator stopping). */
  readonly signal?: AbortSignal;
}

/** Why an image could not be fetched, in the words a task's message repeats. */
export class ImageFetchError extends Error {
  constructor(
    readonly reason: FirmwareFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Fetches a firmware image over HTTP or HTTPS and hashes it as it arrives: the emulator flashes
 * nothing, so only its digest and size are kept. Rejects with an ImageFetchError that says why:
 * the host not reached (or its certificate not trusted), the credentials refused, any other HTTP
 * status, or a transfer cut short.
 */
export function fetchImage(
  imageUri: string,
  options: ImageFetchOptions = {},
): Promise<{ sha256: string; sizeBytes: number }> {
  const url = new URL(imageUri);
  const secure = url.protocol === 'https:';
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const headers: Record<string, string> = {};
  if (options.username !== undefined)
    headers['authorization'] =
      `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const answered = (response: import('node:http').IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        response.resume();
        const said = `HTTP ${status} ${response.statusMessage ?? ''}`.trim();
        return reject(
          new ImageFetchError(
            status === 401 || status === 403 ? 'Authorization' : 'Transfer',
            `${imageUri} answered ${said}.`,
          ),
        );
      }
      const hash = createHash('sha256');
      let sizeBytes = 0;
      response.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        sizeBytes += chunk.length;
      });
      response.on('error', (err) => reject(new ImageFetchError('Transfer', `fetching ${imageUri}: ${err.message}`)));
      response.on('end', () => {
        if (response.complete) resolve({ sha256: hash.digest('hex'), sizeBytes });
        else
          reject(
            new ImageFetchError(
              'Transfer',
              `fetching ${imageUri}: the connection closed after ${sizeBytes} bytes, before the whole image.`,
            ),
          );
      });
    };
    const tlsOptions = secure && options.ca ? { ca: [...rootCertificates, options.ca] } : {};
    const request = (secure ? httpsRequest : httpRequest)(
      url,
      { headers, timeout: idleTimeoutMs, ...tlsOptions, ...(options.signal && { signal: options.signal }) },
      answered,
    );
    request.on('timeout', () => request.destroy(new Error(`no answer in ${idleTimeoutMs / 1000} s`)));
    request.on('error', (err) => reject(new ImageFetchError('Connection', `fetching ${imageUri}: ${err.message}`)));
    request.end();
  });
}
