import { X509Certificate } from 'node:crypto';
import { ODATA_TYPE } from './odata-types.js';
import type { ViewDocument } from '../eventstore/projector.js';

/** The parts of an X.509 name Redfish's Certificate Identifier has, by their short names. */
const IDENTIFIER_PARTS: Record<string, string> = {
  CN: 'CommonName',
  O: 'Organization',
  OU: 'OrganizationalUnit',
  L: 'City',
  ST: 'State',
  C: 'Country',
  emailAddress: 'Email',
};

/** An X.509 name ("CN=a\nO=b", as Node gives it) as a Redfish Identifier. */
function identifier(name: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const line of name.split('\n')) {
    const at = line.indexOf('=');
    const property = IDENTIFIER_PARTS[line.slice(0, at)];
    if (property && parts[property] === undefined) parts[property] = line.slice(at + 1);
  }
  return parts;
}

/** Hex digits as Redfish writes a serial number: pairs joined by colons ("0A:1B"). */
function colonHex(hex: string): string {
  const even = hex.length % 2 === 1 ? `0${hex}` : hex;
  return even.match(/../g)!.join(':');
}

/** Whether `pem` holds exactly one X.509 certificate Node can read. */
export function isOnePemCertificate(pem: string): boolean {
  if ((pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length !== 1) return false;
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

/**
 * A Certificate resource for a PEM certificate: the text itself and what Redfish clients read of
 * it (subject, issuer, validity, serial number, SHA-256 fingerprint).
 */
export function certificateDocument(id: string, certificateId: string, pem: string): ViewDocument {
  const x509 = new X509Certificate(pem);
  return {
    '@odata.id': id,
    '@odata.type': ODATA_TYPE.Certificate,
    Id: certificateId,
    Name: `Certificate ${certificateId}`,
    CertificateString: pem,
    CertificateType: 'PEM',
    Subject: identifier(x509.subject),
    Issuer: identifier(x509.issuer),
    ValidNotBefore: new Date(x509.validFrom).toISOString(),
    ValidNotAfter: new Date(x509.validTo).toISOString(),
    SerialNumber: colonHex(x509.serialNumber),
    Fingerprint: x509.fingerprint256,
    FingerprintHashAlgorithm: 'TPM_ALG_SHA256',
  };
}
