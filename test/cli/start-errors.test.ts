import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { runCli, runCliAsNobody } from '../support/run-cli.js';
import { testConfig } from '../support/config.js';
import { startEmulatorProcess, stopEmulatorProcess } from '../support/emulator-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A port some other program listens on. */
async function portInUse(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/**
 * `serve` with `args`, which must fail at start with `exitStatus` (1 at run time, 2 for a
 * configuration error) and one line on standard error, leaving no store in the data directory.
 */
function failedStart(args: string[], exitStatus = 1): string {
  const dir = tempDir();
  const { file } = testConfig(dir);
  const run = runCli(['serve', '--config', file, ...args]);
  expect(existsSync(join(dir, 'data', 'events.db'))).toBe(false);
  expect(run.code, run.stderr).toBe(exitStatus);
  expect(run.stdout).not.toContain('serving');
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('serve refuses to start, in one line that names the problem and the fix', () => {
  it('on a port another program listens on (EADDRINUSE)', async () => {
    const port = await portInUse();
    expect(failedStart(['--port', String(port), '--listen', '127.0.0.1'])).toBe(
      `redfish-emulator serve: cannot listen on 127.0.0.1 port ${port}: another program is listening there; stop it, or choose another port with --port (key listen.port)`,
    );
  });

  it("on an address that is not this machine's (EADDRNOTAVAIL)", () => {
    // 192.0.2.0/24 is reserved for documentation: no machine has it.
    expect(failedStart(['--listen', '192.0.2.1'])).toMatch(
      /^redfish-emulator serve: cannot listen on 192\.0\.2\.1: it is not an address of this machine; choose one it has with --listen/,
    );
  });

  it('on a host name that does not resolve (ENOTFOUND)', () => {
    // .invalid never resolves (RFC 2606).
    expect(failedStart(['--listen', 'no-such-host.invalid'])).toMatch(
      /^redfish-emulator serve: cannot listen on no-such-host\.invalid: no such host name; give an address of this machine with --listen/,
    );
  });
});

describe('serve on a store that exists, on a port another program listens on', () => {
  it('fails before it writes anything: the store is byte for byte as it was', async () => {
    const dir = tempDir();
    const { file } = testConfig(dir);
    // A first start makes the store (and its service, its lab registration); then it is stopped.
    const emulator = await startEmulatorProcess(file);
    await stopEmulatorProcess(emulator);
    const storeFiles = ['events.db', 'events.db-wal']
      .map((name) => join(dir, 'data', name))
      .filter((f) => existsSync(f));
    const hashes = () => storeFiles.map((f) => createHash('sha256').update(readFileSync(f)).digest('hex'));
    const before = hashes();
    const port = await portInUse();
    const run = runCli(['serve', '--config', file, '--port', String(port), '--listen', '127.0.0.1']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/cannot listen on 127\.0\.0\.1 port \d+: another program is listening there/);
    expect(hashes()).toEqual(before);
  });
});

describe('serve refuses a configuration it cannot use with exit status 2, before it starts', () => {
  it('a libvirt URI whose transport the client does not speak names the key and the transports it speaks (qemu+tcp://)', () => {
    expect(failedStart(['--libvirt-uri', 'qemu+tcp://lab-host/system'], 2)).toBe(
      "redfish-emulator serve: invalid configuration: libvirt.uri: libvirt URI 'qemu+tcp://lab-host/system': transport 'tcp' is not supported (use unix, tls or ssh)",
    );
  });

  it('an accounts file that is not there (auth.htpasswdFile)', () => {
    const missing = join(tempDir(), 'no-such-htpasswd');
    const dir = tempDir();
    const { file } = testConfig(dir, { auth: { enabled: true, htpasswdFile: missing } });
    const run = runCli(['serve', '--config', file]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^redfish-emulator serve: cannot read the accounts file ${missing}: `)),
    ]);
    expect(existsSync(join(dir, 'data', 'events.db'))).toBe(false);
  });

  it('a key the schema does not know', () => {
    const dir = tempDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ dataDir: join(dir, 'data'), lisen: { port: 0 } }));
    const run = runCli(['serve', '--config', file]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toBe(`redfish-emulator serve: invalid configuration in ${file}: lisen: unknown key\n`);
    expect(existsSync(join(dir, 'data', 'events.db'))).toBe(false);
  });
});

describe('serve refuses a data directory it cannot use, before it writes anything', () => {
  it('when a file is where the directory should be (EEXIST)', () => {
    const file = join(tempDir(), 'not-a-directory');
    writeFileSync(file, 'mine\n');
    expect(failedStart(['--data-dir', file])).toBe(
      `redfish-emulator serve: the data directory ${file} cannot be made: a file is in its place (or in the place of one of the directories above it); move the file away, or point --data-dir (key dataDir) at a directory this user can write`,
    );
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
  });

  it('when a file is where a directory above it should be (ENOTDIR)', () => {
    const file = join(tempDir(), 'not-a-directory');
    writeFileSync(file, 'mine\n');
    expect(failedStart(['--data-dir', join(file, 'data')])).toMatch(
      /^redfish-emulator serve: the data directory .*not-a-directory\/data cannot be made: a file is in its place/,
    );
  });
});

describe.skipIf(process.getuid?.() !== 0)('serve as a user without the right to a privileged port', () => {
  it('refuses port 80 (EACCES), with nothing written to the store', () => {
    const dir = tempDir();
    chmodSync(dir, 0o777);
    const { file } = testConfig(dir);
    const run = runCliAsNobody(['serve', '--config', file, '--port', '80', '--listen', '127.0.0.1']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toBe(
      'redfish-emulator serve: cannot listen on 127.0.0.1 port 80: not allowed (ports below 1024 need root or CAP_NET_BIND_SERVICE); choose a port from 1024 up with --port (key listen.port)\n',
    );
    expect(existsSync(join(dir, 'data', 'events.db'))).toBe(false);
  });
});
