import type { MediaDevice, SystemEvent } from './system-events.js';

/** What a virtual media device trusts image servers by: VerifyCertificate and its certificates. */
export interface MediaTrust {
  /** Set by a client; until one does, the lab's default holds. */
  readonly verify?: boolean;
  /** PEM text by certificate id. */
  readonly certificates: Readonly<Record<string, string>>;
  /** Ids are never reused: a certificate removed leaves its id behind. */
  readonly lastCertificateId: number;
}

export type MediaTrustByDevice = Readonly<Partial<Record<MediaDevice, MediaTrust>>>;

/** How many certificates a device keeps, as a BMC's limited store does. */
export const MAX_MEDIA_CERTIFICATES = 16;

const NONE: MediaTrust = { certificates: {}, lastCertificateId: 0 };

export function trustOf(trust: MediaTrustByDevice, device: MediaDevice): MediaTrust {
  return trust[device] ?? NONE;
}

/** Whether the device verifies image servers: its own setting, else the lab's default (false, as DMTF advises). */
export function verifiesCertificates(
  trust: MediaTrustByDevice,
  device: MediaDevice,
  labDefault: boolean | undefined,
): boolean {
  return trustOf(trust, device).verify ?? labDefault ?? false;
}

/** The trust after a media trust event; other events leave it as it is. */
export function evolveMediaTrust(trust: MediaTrustByDevice, event: SystemEvent): MediaTrustByDevice {
  switch (event.type) {
    case 'VirtualMediaVerificationChanged': {
      const { device, verify } = event.data;
      return { ...trust, [device]: { ...trustOf(trust, device), verify } };
    }
    case 'VirtualMediaCertificateAdded':
    case 'VirtualMediaCertificateReplaced': {
      const { device, certificateId, pem } = event.data;
      const current = trustOf(trust, device);
      return {
        ...trust,
        [device]: {
          ...current,
          certificates: { ...current.certificates, [certificateId]: pem },
          lastCertificateId: Math.max(current.lastCertificateId, Number(certificateId)),
        },
      };
    }
    case 'VirtualMediaCertificateRemoved': {
      const { device, certificateId } = event.data;
      const current = trustOf(trust, device);
      const { [certificateId]: _, ...certificates } = current.certificates;
      return { ...trust, [device]: { ...current, certificates } };
    }
    default:
      return trust;
  }
}
