import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EmulatorConfig } from './config/config.js';
import { ConfigError } from './config/load-config.js';

export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * The certificate and key HTTPS is served with: the configured files, or a self-signed pair for
 * localhost and 127.0.0.1 made with openssl in dataDir/tls at the first start and kept, so
 * clients that pin it keep working across restarts. Undefined for plain HTTP.
 */
export function tlsFiles(config: EmulatorConfig): TlsFiles | undefined {
  const paths = tlsFilePaths(config);
  if (!paths) return undefined;
  const { certFile, keyFile } = paths;
  if (config.tls && 'selfSigned' in config.tls && (!existsSync(certFile) || !existsSync(keyFile))) {
    mkdirSync(dirname(certFile), { recursive: true, mode: 0o700 });
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '3650',
          '-subj',
          '/CN=redfish-emulator',
          '-addext',
          'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
          '-keyout',
          keyFile,
          '-out',
          certFile,
        ],
        { stdio: 'pipe' },
      );
    } catch (err) {
      throw new ConfigError(
        `tls.selfSigned: cannot make a certificate with openssl (${(err as Error).message.split('\n')[0]}); install openssl or give tls.certFile and tls.keyFile`,
      );
    }
  }
  try {
    return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } catch (err) {
    throw new ConfigError(`tls: cannot read the certificate or key: ${(err as Error).message}`);
  }
}

/** Where the certificate and key HTTPS is served with are kept: the configured files, or dataDir/tls. */
export function tlsFilePaths(
  config: EmulatorConfig,
): { readonly certFile: string; readonly keyFile: string } | undefined {
  const tls = config.tls;
  if (!tls) return undefined;
  if ('selfSigned' in tls)
    return { certFile: join(config.dataDir, 'tls', 'cert.pem'), keyFile: join(config.dataDir, 'tls', 'key.pem') };
  return { certFile: tls.certFile, keyFile: tls.keyFile };
}

/**
 * Puts a replacement certificate and key in the files HTTPS is served from, so the next start
 * serves it too: each written beside its file and renamed over it, the key readable by its owner only.
 */
export function replaceTlsFiles(paths: { readonly certFile: string; readonly keyFile: string }, files: TlsFiles): void {
  for (const [file, content, mode] of [
    [paths.keyFile, files.key, 0o600],
    [paths.certFile, files.cert, 0o644],
  ] as const) {
    writeFileSync(`${file}.new`, content, { mode });
    renameSync(`${file}.new`, file);
  }
}
