import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { rawExchange } from '../support/raw-http.js';

/*
 * A body over listen.bodyLimitBytes (1 MiB by default) is answered 413 with the DMTF body, and
 * the client that sends it all before reading (Python's http.client) reads that answer rather
 * than a broken pipe.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-oversize-'));
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator(testConfig(dir).config);
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Python's http.client sends a 4 MiB JSON body whole (with Content-Length, or chunked), then reads the answer. */
const PYTHON_CLIENT = `
import http.client, json, sys
port, chunked = int(sys.argv[1]), sys.argv[2] == 'chunked'
body = b'{"Name": "' + b'x' * (4 * 1024 * 1024) + b'"}'
connection = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
headers = {'Content-Type': 'application/json'}
if chunked:
    connection.request('PATCH', '/redfish/v1/Systems/none', body=iter([body[i:i + 65536] for i in range(0, len(body), 65536)]), headers=headers, encode_chunked=True)
else:
    connection.request('PATCH', '/redfish/v1/Systems/none', body=body, headers=headers)
response = connection.getresponse()
print(json.dumps({'status': response.status, 'connection': response.getheader('Connection'), 'body': json.loads(response.read())}))
`;

async function pythonSends(mode: 'content-length' | 'chunked') {
  const { stdout } = await promisify(execFile)(
    '/usr/bin/python3',
    ['-c', PYTHON_CLIENT, new URL(emulator.url).port, mode],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout) as {
    status: number;
    connection: string | null;
    body: { error: { code: string; '@Message.ExtendedInfo': { MessageId: string }[] } };
  };
}

describe('a body over the limit', () => {
  for (const mode of ['content-length', 'chunked'] as const) {
    it(`is answered 413 PayloadTooLarge to a client that sends it whole (${mode})`, async () => {
      const answer = await pythonSends(mode);
      expect(answer.status).toBe(413);
      expect(answer.connection).toBe('close');
      expect(answer.body.error.code).toBe('Base.1.22.PayloadTooLarge');
      expect(answer.body.error['@Message.ExtendedInfo'].map((m) => m.MessageId)).toEqual(['Base.1.22.PayloadTooLarge']);
      // The service goes on answering.
      expect((await fetch(`${emulator.url}/redfish/v1`)).status).toBe(200);
    });
  }

  it('declared beyond what is worth reading, is answered at once and the connection closed', async () => {
    // Headers only: a server that waited for 100 MiB would never answer.
    const answer = await rawExchange(
      emulator.url,
      `PATCH /redfish/v1/Systems/none HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n{"Name": "`,
    );
    expect(answer).toMatch(/^HTTP\/1.1 413 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer).toContain('"code":"Base.1.22.PayloadTooLarge"');
  });
});
