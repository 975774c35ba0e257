/** The stream of the service's certificates: the CertificateService's @odata.id. */
export const CERTIFICATE_SERVICE_STREAM = '/redfish/v1/CertificateService';

/**
 * The certificate HTTPS is served with, as a PEM chain (never its private key, which only the
 * TLS key file holds), and its SHA-256 fingerprint.
 */
export interface HttpsCertificate {
  readonly certificate: string;
  readonly fingerprint: string;
}

/** The service started with a certificate other than the one it last served: made, or put in its files. */
export interface HttpsCertificateFound {
  readonly type: 'HttpsCertificateFound';
  readonly data: HttpsCertificate;
}

/** A client replaced the HTTPS certificate (CertificateService.ReplaceCertificate). */
export interface HttpsCertificateReplaced {
  readonly type: 'HttpsCertificateReplaced';
  readonly data: HttpsCertificate;
}

export type CertificateEvent = HttpsCertificateFound | HttpsCertificateReplaced;
