import type { Decider } from '../decider.js';
import type { CertificateEvent, HttpsCertificate } from './certificate-events.js';

/** The certificate in the TLS files at start; and a client's replacement, already checked against its key. */
export type FindHttpsCertificate = { readonly type: 'FindHttpsCertificate' } & HttpsCertificate;
export type ReplaceHttpsCertificate = { readonly type: 'ReplaceHttpsCertificate' } & HttpsCertificate;
export type CertificateCommand = FindHttpsCertificate | ReplaceHttpsCertificate;

export interface CertificateState {
  readonly https?: HttpsCertificate;
}

/** The service's own certificates: for now the one HTTPS is served with. */
export const certificateDecider: Decider<CertificateCommand, CertificateEvent, CertificateState> = {
  initialState: {},
  decide(command, state) {
    const { type, ...https } = command;
    if (type === 'FindHttpsCertificate')
      return state.https?.fingerprint === https.fingerprint ? [] : [{ type: 'HttpsCertificateFound', data: https }];
    return [{ type: 'HttpsCertificateReplaced', data: https }];
  },
  evolve(state, event) {
    switch (event.type) {
      case 'HttpsCertificateFound':
      case 'HttpsCertificateReplaced':
        return { ...state, https: event.data };
      default:
        return state;
    }
  },
};
