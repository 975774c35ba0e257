import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { HttpsCertificate } from '../../domain/certificates/certificate-events.js';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK =
  /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

/** A certificate chain as the service records it: the PEM blocks, leaf first, and the leaf's fingerprint. */
export function httpsCertificateOf(chain: string): HttpsCertificate {
  return { certificate: chain, fingerprint: new X509Certificate(chain).fingerprint256 };
}

/**
 * A ReplaceCertificate string: one or more PEM certificates (leaf first) and the private key of
 * the leaf, in any order. Undefined certificate when there is no PEM certificate in it or it does
 * not parse; undefined key when there is none or it does not parse.
 */
export function readCertificateString(text: string): {
  chain?: string;
  leaf?: X509Certificate;
  key?: KeyObject;
  keyPem?: string;
} {
  const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
  const keyPem = KEY_BLOCK.exec(text)?.[0];
  let leaf: X509Certificate | undefined;
  let key: KeyObject | undefined;
  try {
    blocks.forEach((block) => new X509Certificate(block));
    leaf = blocks.length > 0 ? new X509Certificate(blocks[0]!) : undefined;
  } catch {
    leaf = undefined;
  }
  try {
    key = keyPem ? createPrivateKey(keyPem) : undefined;
  } catch {
    key = undefined;
  }
  return {
    ...(leaf && { chain: `${blocks.join('\n')}\n`, leaf }),
    ...(key && keyPem && { key, keyPem: `${keyPem}\n` }),
  };
}
