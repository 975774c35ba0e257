import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { rootCertificates } from 'node:tls';
import { pipeline } from 'node:stream/promises';

export interface ImageDownloadOptions {
  /** Check an https server's certificate against the system's roots and `ca`. */
  readonly verify: boolean;
  /** PEM certificates trusted besides the system's roots (a device's Certificates, the lab's CA file). */
  readonly ca?: readonly string[];
  /** Sent to the image server with HTTP Basic, and only to the URL's own origin. */
  readonly userName?: string;
  readonly password?: string;
  /** How long the server may stay silent before the download is given up. */
  readonly idleTimeoutMs?: number;
  /** Told the bytes written so far (and the total when the server says it) as they arrive. */
  readonly onProgress?: (bytes: number, totalBytes: number | undefined) => void;
}

/** Redirects followed before a download is given up, as curl's and browsers' limits go. */
const MAX_REDIRECTS = 5;

/** The codes Node's TLS gives a certificate it does not trust. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Why an image could not be fetched, in one line an operator can act on: the certificate, the
 * name, the refused connection or the silence, rather than a bare "fetch failed".
 */
export function describeDownloadError(err: unknown, url: URL): string {
  const { code, message } = err as { code?: string; message?: string };
  const host = url.hostname;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (code && CERTIFICATE_CODES.has(code)) {
    return `the certificate of ${host} is not trusted (${code}: ${message}); add the CA that signed it to the device's Certificates or the lab's CA file, or set VerifyCertificate to false`;
  }
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host name ${host} (${code})`;
    case 'ECONNREFUSED':
      return `connection refused by ${host}:${port}`;
    case 'ECONNRESET':
      return `connection reset by ${host}:${port}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to ${host}:${port} (${code})`;
    case 'ETIMEDOUT':
      return `no answer from ${host}:${port} in time`;
  }
  return code ? `${code}: ${message}` : (message ?? String(err));
}

/** Thrown with the reason already in words (an HTTP status, a redirect loop). */
class DownloadRefused extends Error {}

function request(url: URL, options: ImageDownloadOptions, credentials: boolean): Promise<IncomingMessage> {
  const auth =
    credentials && options.userName !== undefined ? `${options.userName}:${options.password ?? ''}` : undefined;
  const timeout = options.idleTimeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const done = (response: IncomingMessage) => resolve(response);
    const req =
      url.protocol === 'https:'
        ? httpsGet(
            url,
            {
              rejectUnauthorized: options.verify,
              ca: [...rootCertificates, ...(options.ca ?? [])],
              timeout,
              ...(auth !== undefined && { auth }),
            },
            done,
          )
        : httpGet(url, { timeout, ...(auth !== undefined && { auth }) }, done);
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

/**
 * Fetches an image by URL into `file`, whole or not at all (it is written beside it and renamed
 * when complete), following redirects. Each failure says why (describeDownloadError).
 */
export async function downloadImage(image: string, file: string, options: ImageDownloadOptions): Promise<void> {
  const origin = new URL(image).origin;
  let url = new URL(image);
  let response: IncomingMessage | undefined;
  try {
    for (let hops = 0; ; hops++) {
      response = await request(url, options, url.origin === origin);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (hops === MAX_REDIRECTS) throw new DownloadRefused(`more than ${MAX_REDIRECTS} redirects from ${image}`);
        url = new URL(location, url);
        continue;
      }
      if (status !== 200) {
        response.resume();
        throw new DownloadRefused(`${`HTTP ${status} ${response.statusMessage ?? ''}`.trim()} from ${url.href}`);
      }
      break;
    }
    const partial = `${file}.part`;
    // A lab whose pool is only on the simulated host has no directory for it until an image needs one.
    await mkdir(dirname(file), { recursive: true });
    try {
      const total = Number(response.headers['content-length']) || undefined;
      let bytes = 0;
      const counted = options.onProgress;
      if (counted) response.on('data', (chunk: Buffer) => counted((bytes += chunk.length), total));
      await pipeline(response, createWriteStream(partial, { mode: 0o644 }));
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  } catch (err) {
    response?.destroy();
    throw new Error(
      `fetching ${image}: ${err instanceof DownloadRefused ? err.message : describeDownloadError(err, url)}`,
    );
  }
}
