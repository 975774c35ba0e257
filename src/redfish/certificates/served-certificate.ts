import type { Server } from 'node:https';
import type { FastifyInstance } from 'fastify';
import type { EmulatorConfig } from '../../config/config.js';
import type { EventStore } from '../../eventstore/event-store.js';
import { executeCommand } from '../../eventstore/execute-command.js';
import { certificateDecider } from '../../domain/certificates/certificate-decider.js';
import { CERTIFICATE_SERVICE_STREAM } from '../../domain/certificates/certificate-events.js';
import { replaceTlsFiles, tlsFilePaths, type TlsFiles } from '../../tls-files.js';
import type { HttpsCertificateInstaller } from './certificate-routes.js';
import { httpsCertificateOf } from './pem.js';

/** Records the certificate HTTPS starts with, when it is not the one last recorded. */
export function recordServedCertificate(store: EventStore, https: TlsFiles): void {
  executeCommand(
    store,
    CERTIFICATE_SERVICE_STREAM,
    certificateDecider,
    { type: 'FindHttpsCertificate', ...httpsCertificateOf(https.cert.toString()) },
    { actor: 'emulator' },
  );
}

/** Puts a replacement in the TLS files (for the next start) and in the running server (for the next connection). */
export function httpsCertificateInstaller(
  app: FastifyInstance,
  config: EmulatorConfig,
): HttpsCertificateInstaller | undefined {
  const paths = tlsFilePaths(config);
  if (!paths) return undefined;
  return {
    install(files) {
      replaceTlsFiles(paths, files);
      (app.server as Server).setSecureContext(files);
    },
  };
}
