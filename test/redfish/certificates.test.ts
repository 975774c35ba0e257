import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { registerSystems } from '../../src/lab/register-systems.js';
import { existingDomainSystem, type LabSystem } from '../../src/lab/lab-systems.js';
import { testConfig } from '../support/config.js';
import { ADMIN_BASIC } from '../support/redfish-client.js';
import { acceptedPosition } from '../support/accepted-position.js';

/*
 * The CertificateService and the service's HTTPS certificate, over real TLS connections: the
 * certificate served is the one shown, a replacement is served from the next connection on and
 * after a restart, and a bad one changes nothing.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-certificates-'));
const MANAGER = '/redfish/v1/Managers/c1';
const CERTIFICATE = `${MANAGER}/NetworkProtocol/HTTPS/Certificates/1`;
const REPLACE = '/redfish/v1/CertificateService/Actions/CertificateService.ReplaceCertificate';
const system: LabSystem = existingDomainSystem({
  id: 'c1',
  name: 'Certificate node',
  libvirtUri: 'test:///default',
  domainName: 'rfe-test-c1',
  vcpus: 1,
  memoryMiB: 64,
  firmware: 'BIOS',
  config: { id: 'c1', domain: 'rfe-test-c1' },
});
let config: EmulatorConfig;
let emulator: RunningEmulator;

/** A certificate and its key, made with openssl. */
function makeCertificate(name: string): { cert: string; key: string } {
  const [cert, key] = [join(dir, `${name}.pem`), join(dir, `${name}.key`)];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '30',
      '-subj',
      `/CN=${name}/O=Lab`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

/** A request over HTTPS trusting whatever certificate the service has (the test checks which separately). */
function request(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, unknown>; json: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${emulator.url}${path}`,
      {
        method,
        rejectUnauthorized: false,
        agent: false,
        headers: { authorization: ADMIN_BASIC, 'content-type': 'application/json' },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            headers: response.headers,
            json: text ? (JSON.parse(text) as Record<string, any>) : {},
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The SHA-256 fingerprint of the certificate a new TLS connection is served. */
function servedFingerprint(): Promise<string> {
  const port = Number(new URL(emulator.url).port);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  config = testConfig(dir, { auth: { enabled: true }, tls: { selfSigned: true } }).config;
  emulator = await startEmulator(config);
  registerSystems(emulator.store, [system]);
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('CertificateService and the HTTPS certificate', () => {
  it('shows the certificate HTTPS is served with under the BMC, listed in CertificateLocations', async () => {
    expect((await request('GET', '/redfish/v1')).json['CertificateService']).toEqual({
      '@odata.id': '/redfish/v1/CertificateService',
    });
    const service = (await request('GET', '/redfish/v1/CertificateService')).json;
    expect(service['Actions']['#CertificateService.ReplaceCertificate']).toMatchObject({
      target: REPLACE,
      'CertificateType@Redfish.AllowableValues': ['PEM'],
    });
    expect((await request('GET', '/redfish/v1/CertificateService/CertificateLocations')).json['Links']).toEqual({
      Certificates: [{ '@odata.id': CERTIFICATE }],
      'Certificates@odata.count': 1,
    });
    expect((await request('GET', MANAGER)).json['NetworkProtocol']).toEqual({
      '@odata.id': `${MANAGER}/NetworkProtocol`,
    });
    expect((await request('GET', `${MANAGER}/NetworkProtocol`)).json['HTTPS']).toEqual({
      ProtocolEnabled: true,
      Certificates: { '@odata.id': `${MANAGER}/NetworkProtocol/HTTPS/Certificates` },
    });
    const certificate = (await request('GET', CERTIFICATE)).json;
    expect(certificate).toMatchObject({
      CertificateType: 'PEM',
      Subject: { CommonName: 'redfish-emulator' },
      FingerprintHashAlgorithm: 'TPM_ALG_SHA256',
    });
    expect(certificate['Fingerprint']).toBe(await servedFingerprint());
    expect(new X509Certificate(certificate['CertificateString']).fingerprint256).toBe(certificate['Fingerprint']);
  });

  it('refuses a certificate that is not PEM, or without its own key, with a 400 and the Base message, and changes nothing', async () => {
    const mine = makeCertificate('mine');
    const other = makeCertificate('other');
    const before = {
      position: acceptedPosition(emulator.store),
      served: await servedFingerprint(),
      file: readFileSync(join(config.dataDir, 'tls', 'cert.pem'), 'utf8'),
    };
    const replace = (fields: Record<string, unknown>) => ({
      CertificateString: `${mine.cert}${mine.key}`,
      CertificateType: 'PEM',
      CertificateUri: { '@odata.id': CERTIFICATE },
      ...fields,
    });
    const cases: [Record<string, unknown>, string][] = [
      [replace({ CertificateString: 'not a certificate' }), 'ActionParameterValueFormatError'],
      [
        replace({ CertificateString: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }),
        'ActionParameterValueFormatError',
      ],
      [replace({ CertificateString: `${mine.cert}${other.key}` }), 'ActionParameterValueError'],
      [replace({ CertificateString: mine.cert }), 'ActionParameterValueError'],
      [replace({ CertificateType: 'PKCS7' }), 'ActionParameterValueNotInList'],
      [
        replace({ CertificateUri: { '@odata.id': `${MANAGER}/NetworkProtocol/HTTPS/Certificates/9` } }),
        'ResourceNotFound',
      ],
      [{ CertificateType: 'PEM', CertificateUri: { '@odata.id': CERTIFICATE } }, 'ActionParameterMissing'],
    ];
    for (const [body, messageId] of cases) {
      const answer = await request('POST', REPLACE, body);
      expect(answer.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(
        answer.json['error']['@Message.ExtendedInfo'].map((m: { MessageId: string }) => m.MessageId.split('.').pop()),
      ).toEqual([messageId]);
    }
    expect(acceptedPosition(emulator.store)).toBe(before.position);
    expect(await servedFingerprint()).toBe(before.served);
    expect(readFileSync(join(config.dataDir, 'tls', 'cert.pem'), 'utf8')).toBe(before.file);
  });

  it('serves a replacement from the next connection on, records it without its key, and keeps it across a restart', async () => {
    const replacement = makeCertificate('replaced');
    const fingerprint = new X509Certificate(replacement.cert).fingerprint256;
    const answer = await request('POST', REPLACE, {
      CertificateString: `${replacement.key}${replacement.cert}`,
      CertificateType: 'PEM',
      CertificateUri: { '@odata.id': CERTIFICATE },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['location']).toBe(CERTIFICATE);
    expect(answer.json).toMatchObject({
      Fingerprint: fingerprint,
      Subject: { CommonName: 'replaced', Organization: 'Lab' },
    });
    expect(await servedFingerprint()).toBe(fingerprint);
    expect((await request('GET', CERTIFICATE)).json['CertificateString']).not.toContain('PRIVATE KEY');

    const [event] = queryHistory(emulator.store.db, { types: ['HttpsCertificateReplaced'] });
    expect(event!.data).toEqual({ certificate: expect.stringContaining('BEGIN CERTIFICATE'), fingerprint });
    expect(JSON.stringify(event)).not.toContain('PRIVATE KEY');
    expect(event!.meta.actor).toBe('user:admin');

    await emulator.close();
    emulator = await startEmulator(config);
    expect(await servedFingerprint()).toBe(fingerprint);
    expect((await request('GET', CERTIFICATE)).json['Fingerprint']).toBe(fingerprint);
    expect(queryHistory(emulator.store.db, { types: ['HttpsCertificateFound'] })).toHaveLength(1);
  });
});
