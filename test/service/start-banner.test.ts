import { afterEach, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulatorProcess, stopEmulatorProcess, type EmulatorProcess } from '../support/emulator-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const running: EmulatorProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => stopEmulatorProcess(emulator)));
});

/** Starts serve on a config of no lab (over `extra`) and resolves once it printed its first command to try. */
async function serveAndReadBanner(dir: string, extra: object): Promise<{ emulator: EmulatorProcess; lines: string[] }> {
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ dataDir: 'data', listen: { port: 0 }, lab: { systems: [] }, ...extra }));
  const emulator = await startEmulatorProcess(config);
  running.push(emulator);
  for (let waited = 0; !/try: .*\n/.test(emulator.output()); waited += 20) {
    if (waited > 10_000) throw new Error(`no first command to try in:\n${emulator.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { emulator, lines: emulator.output().split('\n') };
}

describe('the start banner', () => {
  it('names the default account, the certificate with its fingerprint, and a curl of the service root that answers', async () => {
    const dir = tempDir();
    const { emulator, lines } = await serveAndReadBanner(dir, {});
    expect(lines).toContain(
      'redfish-emulator: account admin / password (the documented default; set auth.htpasswdFile for your own)',
    );
    const certFile = join(dir, 'data', 'tls', 'cert.pem');
    const fingerprint = new X509Certificate(readFileSync(certFile)).fingerprint256;
    expect(lines).toContain(`redfish-emulator: TLS certificate ${certFile} (self-signed), SHA-256 ${fingerprint}`);
    const tryLine = lines.find((line) => line.startsWith('redfish-emulator: try: '))!;
    expect(tryLine).toBe(`redfish-emulator: try: curl -u admin:password -k ${emulator.url}/redfish/v1`);
    const [program, ...args] = tryLine.slice('redfish-emulator: try: '.length).split(' ');
    const answer = JSON.parse(execFileSync(program!, ['-sS', '--fail', ...args], { encoding: 'utf8' })) as {
      '@odata.id': string;
    };
    expect(answer['@odata.id']).toBe('/redfish/v1');
  });

  it('names the accounts file, and over plain HTTP no certificate and no -k', async () => {
    const dir = tempDir();
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, readFileSync(join(import.meta.dirname, '..', '..', 'config', 'htpasswd')));
    const { emulator, lines } = await serveAndReadBanner(dir, {
      tls: false,
      auth: { enabled: true, htpasswdFile: 'htpasswd' },
    });
    expect(lines).toContain(`redfish-emulator: accounts from ${htpasswd}`);
    expect(lines.some((line) => line.includes('TLS certificate'))).toBe(false);
    expect(lines).toContain(`redfish-emulator: try: curl -u USER ${emulator.url}/redfish/v1`);
  });
});
