import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notificationTls } from '../../src/notifications/change-notifier.js';
import { sendRequest } from '../../src/send-request.js';
import { makeTestCertificate } from '../support/test-certificate.js';

/*
 * The notifications' TLS as configured (lab.notifications caFile, certFile, keyFile,
 * verifyCertificate), against a real HTTPS receiver that asks for a client certificate and
 * trusts only the test's own.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-notify-tls-'));
const dirOf = (name: string) => {
  mkdirSync(join(dir, name));
  return join(dir, name);
};
let server: Server;
let url: string;
let receiverCa: string;
let client: { certFile: string; keyFile: string };
let stranger: { certFile: string; keyFile: string };

beforeAll(async () => {
  const receiver = makeTestCertificate(dirOf('receiver'));
  client = makeTestCertificate(dirOf('client'), '/CN=redfish-emulator');
  stranger = makeTestCertificate(dirOf('stranger'), '/CN=someone-else');
  receiverCa = receiver.certFile;
  server = createServer(
    {
      cert: readFileSync(receiver.certFile),
      key: readFileSync(receiver.keyFile),
      requestCert: true,
      rejectUnauthorized: true,
      ca: readFileSync(client.certFile),
    },
    (req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, 30_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const put = (tls: ReturnType<typeof notificationTls>) =>
  sendRequest(url, '{}', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, timeoutMs: 5000, tls });

describe('the TLS of change notifications', () => {
  it('shows the client certificate and trusts the receiver by caFile', async () => {
    await expect(put(notificationTls({ url, caFile: receiverCa, ...client }))).resolves.toBe(204);
  });

  it('is refused by a receiver that does not trust the certificate shown, or when none is shown', async () => {
    await expect(put(notificationTls({ url, caFile: receiverCa, ...stranger }))).rejects.toThrow();
    await expect(put(notificationTls({ url, caFile: receiverCa }))).rejects.toThrow();
  });

  it("checks the receiver's certificate when caFile is given or verifyCertificate asks, as sushy-tools does", async () => {
    // No caFile: not checked, as sushy-tools' requests.put(verify=False).
    await expect(put(notificationTls({ url, ...client }))).resolves.toBe(204);
    await expect(put(notificationTls({ url, verifyCertificate: true, ...client }))).rejects.toThrow(/self-signed/);
    // A CA that did not sign the receiver's certificate.
    await expect(put(notificationTls({ url, caFile: client.certFile, ...client }))).rejects.toThrow(/self-signed/);
  });
});
