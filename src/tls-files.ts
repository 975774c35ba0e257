import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  const tls = config.tls;
  if (!tls) return undefined;
  let certFile: string;
  let keyFile: string;
  if ('selfSigned' in tls) {
    const dir = join(config.dataDir, 'tls');
    certFile = join(dir, 'cert.pem');
    keyFile = join(dir, 'key.pem');
    if (!existsSync(certFile) || !existsSync(keyFile)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      try {
        execFileSync(
          'openssl',
          ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=redfish-emulator',
            '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1', '-keyout', keyFile, '-out', certFile],
          { stdio: 'pipe' },
        );
      } catch (err) {
        throw new ConfigError(`tls.selfSigned: cannot make a certificate with openssl (${(err as Error).message.split('\n')[0]}); install openssl or give tls.certFile and tls.keyFile`);
      }
    }
  } else {
    ({ certFile, keyFile } = tls);
  }
  try {
    return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } catch (err) {
    throw new ConfigError(`tls: cannot read the certificate or key: ${(err as Error).message}`);
  }
}
