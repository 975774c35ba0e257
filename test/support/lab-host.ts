import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { eventually } from './eventually.js';

/*
 * A second libvirt host on this machine, for tests of labs that span hosts: a libvirtd of its
 * own (its own config, sockets, pid file and TLS listener, and only the drivers built into
 * libvirt, so none of the system daemon's state is touched) and an sshd of its own in front of
 * it. Everything lives under the directory the test hands in; processes are stopped by pid.
 */

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket.destroy() && true));
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, what: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await portAccepts(port))) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited before listening: ${output()}`);
    if (Date.now() > deadline) throw new Error(`${what} does not listen on ${port}: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Kills `child` if the test process exits while it still runs: a worker that ends without its afterAll leaves no daemon behind. */
function killOnExit(child: ChildProcess): void {
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}

/** Stops a process the test started and waits until it is gone. */
export async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/**
 * A test CA and the certificates libvirt's TLS checks accept: a server certificate for
 * 127.0.0.1 and a client certificate, with the key usages libvirt requires. `clientPki` is laid
 * out as libvirt's `pkipath=` expects (cacert.pem, clientcert.pem, clientkey.pem).
 */
export function makeTestPki(dir: string): { ca: string; serverCert: string; serverKey: string; clientPki: string } {
  mkdirSync(join(dir, 'client'), { recursive: true });
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'cakey.pem',
      '-out',
      'cacert.pem',
      '-days',
      '2',
      '-subj',
      '/CN=rfe-test-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const extensions = {
    server:
      'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n',
    client:
      'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  };
  for (const [who, ext] of Object.entries(extensions)) {
    writeFileSync(join(dir, `${who}.ext`), ext);
    openssl(
      [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${who}key.pem`,
        '-out',
        `${who}.csr`,
        '-subj',
        `/CN=rfe-test-${who}`,
      ],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${who}.csr`,
        '-CA',
        'cacert.pem',
        '-CAkey',
        'cakey.pem',
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        `${who}.ext`,
        '-out',
        `${who}cert.pem`,
      ],
      dir,
    );
  }
  for (const file of ['cacert.pem', 'clientcert.pem', 'clientkey.pem'])
    writeFileSync(join(dir, 'client', file), readFileSync(join(dir, file)));
  return {
    ca: join(dir, 'cacert.pem'),
    serverCert: join(dir, 'servercert.pem'),
    serverKey: join(dir, 'serverkey.pem'),
    clientPki: join(dir, 'client'),
  };
}

export interface SecondLibvirtd {
  /** Its read-write unix socket. */
  readonly socket: string;
  readonly tlsPort: number;
  /** Starts it (again, with the same config and port); resolves once TLS accepts connections. */
  start(): Promise<void>;
  /** Stops it with `signal` and waits until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * A libvirtd with a config file of its own under `dir`: unix sockets in `dir/run`, a TLS
 * listener on 127.0.0.1:`tlsPort` with the test CA's server certificate (clients must show a
 * certificate from that CA), and LIBVIRT_DRIVER_DIR pointing at an empty directory so that no
 * qemu, network or storage driver loads: only the test driver, which keeps its state per
 * connection.
 */
export function secondLibvirtd(dir: string, tlsPort: number, pki: ReturnType<typeof makeTestPki>): SecondLibvirtd {
  const run = join(dir, 'run');
  const drivers = join(dir, 'no-drivers');
  mkdirSync(run, { recursive: true });
  mkdirSync(drivers, { recursive: true });
  const config = join(dir, 'libvirtd.conf');
  writeFileSync(
    config,
    [
      'listen_tls = 1',
      'listen_tcp = 0',
      `tls_port = "${tlsPort}"`,
      'listen_addr = "127.0.0.1"',
      `unix_sock_dir = "${run}"`,
      'unix_sock_rw_perms = "0700"',
      'auth_unix_rw = "none"',
      'auth_tls = "none"',
      `key_file = "${pki.serverKey}"`,
      `cert_file = "${pki.serverCert}"`,
      `ca_file = "${pki.ca}"`,
      `log_outputs = "3:file:${join(dir, 'libvirtd.log')}"`,
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  return {
    socket: join(run, 'libvirt-sock'),
    tlsPort,
    async start() {
      let output = '';
      child = spawn('libvirtd', ['-f', config, '-p', join(dir, 'libvirtd.pid'), '--listen'], {
        env: { ...process.env, LIBVIRT_DRIVER_DIR: drivers },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      killOnExit(child);
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        await waitForPort(tlsPort, child, 'the second libvirtd', () => output);
        await eventually(() => existsSync(join(run, 'libvirt-sock')), "the second libvirtd's socket");
      } catch (err) {
        await stopProcess(child);
        throw err;
      }
    },
    stop: (signal = 'SIGTERM') => stopProcess(child, signal),
  };
}

export interface TestSshd {
  readonly port: number;
  /** The client's private key, authorized for root. */
  readonly keyFile: string;
  /** A known_hosts file that knows this sshd's host key. */
  readonly knownHosts: string;
  stop(): Promise<void>;
}

/**
 * `sshd -D` on 127.0.0.1:`port` with a config, host key, authorized key and pid file of its own
 * under `dir`: key authentication only, as root. The system sshd, if any, is left alone.
 */
export async function startSshd(dir: string, port: number): Promise<TestSshd> {
  mkdirSync(dir, { recursive: true });
  const hostKey = join(dir, 'host_ed25519');
  const keyFile = join(dir, 'client_ed25519');
  for (const key of [hostKey, keyFile])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'rfe-test', '-f', key], { stdio: 'pipe' });
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${keyFile}.pub`));
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(
    knownHosts,
    `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`,
  );
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The temp directory's modes are not what sshd wants of a home directory.
      'StrictModes no',
      '',
    ].join('\n'),
  );
  // Where sshd confines its unprivileged child; Debian's service makes it at boot.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  let output = '';
  const child = spawn('/usr/sbin/sshd', ['-f', config, '-D', '-e'], { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitForPort(port, child, 'the test sshd', () => output);
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return { port, keyFile, knownHosts, stop: () => stopProcess(child) };
}
