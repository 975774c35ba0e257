import { X509Certificate } from 'node:crypto';
import type { EmulatorConfig } from './config/config.js';
import { tlsFilePaths, type TlsFiles } from './tls-files.js';

/** The documented default account, served when no htpasswd file is configured. */
const DEFAULT_ACCOUNT = { user: 'admin', password: 'password' };

/**
 * What the start prints after the serving line, for whoever reads it to get going: the account
 * to use, where the TLS certificate is and its SHA-256 fingerprint (to pin it), and a first
 * command to try. (What the lab made in libvirt follows as the lab starts, as `lab:` lines.)
 */
export function startBanner(config: EmulatorConfig, url: string, https: TlsFiles | undefined): string[] {
  const lines: string[] = [];
  const curl = ['curl'];
  if (!config.auth.enabled) lines.push('accounts: none, authentication is off');
  else if (config.auth.htpasswdFile) {
    lines.push(`accounts from ${config.auth.htpasswdFile}`);
    curl.push('-u', 'USER');
  } else {
    lines.push(
      `account ${DEFAULT_ACCOUNT.user} / ${DEFAULT_ACCOUNT.password} (the documented default; set auth.htpasswdFile for your own)`,
    );
    curl.push('-u', `${DEFAULT_ACCOUNT.user}:${DEFAULT_ACCOUNT.password}`);
  }
  const paths = tlsFilePaths(config);
  if (https && paths) {
    const fingerprint = new X509Certificate(https.cert).fingerprint256;
    const selfSigned = config.tls !== undefined && config.tls !== false && 'selfSigned' in config.tls;
    lines.push(`TLS certificate ${paths.certFile}${selfSigned ? ' (self-signed)' : ''}, SHA-256 ${fingerprint}`);
    if (selfSigned) curl.push('-k');
  }
  lines.push(`try: ${[...curl, `${url}/redfish/v1`].join(' ')}`);
  return lines;
}
