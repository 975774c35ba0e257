import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isIP, connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { LibvirtConnectionError } from './errors.js';
import type { Endpoint } from './uri.js';

/** An open byte stream to a libvirt daemon. */
export interface Transport {
  readonly stream: Duplex;
  /** e.g. 'unix socket /run/libvirt/libvirt-sock', for messages. */
  readonly description: string;
}

/** Where libvirt's own clients look for TLS credentials. */
export const TLS_FILES = {
  ca: '/etc/pki/CA/cacert.pem',
  cert: '/etc/pki/libvirt/clientcert.pem',
  key: '/etc/pki/libvirt/private/clientkey.pem',
} as const;

/**
 * How long a remote host has to connect, agree on TLS and accept the client (or ssh to connect):
 * a host behind a firewall that drops packets, or a port that accepts and never speaks, would
 * otherwise hold the connection (and whoever waits for it) for minutes, or for ever.
 */
export const REMOTE_CONNECT_TIMEOUT_SECONDS = 15;

const HOW_TO_START = 'start it with scripts/ensure-libvirtd (or `systemctl start libvirtd`, or `libvirtd -d`)';

function explainSocketError(path: string, err: NodeJS.ErrnoException): LibvirtConnectionError {
  const why: Record<string, string> = {
    ENOENT: `no libvirt daemon socket at ${path}: libvirtd is not running; ${HOW_TO_START}`,
    ECONNREFUSED: `nothing accepts connections on ${path}: libvirtd is not running; ${HOW_TO_START}`,
    EACCES: `permission denied on ${path}: run as root or as a member of the libvirt group`,
  };
  return new LibvirtConnectionError(why[err.code ?? ''] ?? `cannot connect to ${path}: ${err.message}`, { cause: err });
}

function openUnix(path: string): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve({ stream: socket, description: `unix socket ${path}` });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => reject(explainSocketError(path, err)));
  });
}

/** The credentials' files: libvirt's defaults, or the three names libvirt looks for in a `pkipath=` directory. */
export function tlsFiles(pkiPath: string | undefined): { ca: string; cert: string; key: string } {
  if (!pkiPath) return TLS_FILES;
  return {
    ca: join(pkiPath, 'cacert.pem'),
    cert: join(pkiPath, 'clientcert.pem'),
    key: join(pkiPath, 'clientkey.pem'),
  };
}

/** libvirt's TLS listener sends one byte, 1, once it has accepted our certificate. */
function openTls({ host, port, pkiPath }: Extract<Endpoint, { transport: 'tls' }>): Promise<Transport> {
  const description = `TLS ${host}:${port}`;
  const files = tlsFiles(pkiPath);
  let credentials: { ca: Buffer; cert: Buffer; key: Buffer };
  try {
    credentials = { ca: readFileSync(files.ca), cert: readFileSync(files.cert), key: readFileSync(files.key) };
  } catch (err) {
    return Promise.reject(
      new LibvirtConnectionError(`${description}: cannot read the TLS credentials (${(err as Error).message})`),
    );
  }
  return new Promise((resolve, reject) => {
    // SNI carries host names only; an address is still checked against the certificate's IP entries.
    const socket: TLSSocket = tlsConnect({ host, port, ...(!isIP(host) && { servername: host }), ...credentials });
    const timer = setTimeout(
      () =>
        socket.destroy(
          new LibvirtConnectionError(`${description}: no answer within ${REMOTE_CONNECT_TIMEOUT_SECONDS} s`),
        ),
      REMOTE_CONNECT_TIMEOUT_SECONDS * 1000,
    );
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(
        err instanceof LibvirtConnectionError
          ? err
          : new LibvirtConnectionError(`${description}: ${err.message}`, { cause: err }),
      );
    });
    socket.once('secureConnect', () => {
      socket.once('readable', () => {
        clearTimeout(timer);
        const check = socket.read(1) as Buffer | null;
        if (check?.[0] !== 1) {
          socket.destroy();
          reject(new LibvirtConnectionError(`${description}: the daemon did not accept this client's certificate`));
          return;
        }
        socket.removeAllListeners('error');
        resolve({ stream: socket, description });
      });
    });
  });
}

/** Quoted for the remote user's shell, which ssh hands the command to. */
const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * The arguments of `ssh`: `virt-ssh-helper NAME` on the remote host, or, with `socket=`,
 * netcat to that socket (as libvirt's own client does), speaking RPC over stdin and stdout.
 */
export function sshArguments(endpoint: Extract<Endpoint, { transport: 'ssh' }>, openName: string): string[] {
  const args = ['-o', 'BatchMode=yes', '-o', `ConnectTimeout=${REMOTE_CONNECT_TIMEOUT_SECONDS}`, '-e', 'none', '-T'];
  if (endpoint.user) args.push('-l', endpoint.user);
  if (endpoint.port) args.push('-p', String(endpoint.port));
  if (endpoint.keyFile) args.push('-i', endpoint.keyFile, '-o', 'IdentitiesOnly=yes');
  if (endpoint.knownHosts) args.push('-o', `UserKnownHostsFile=${endpoint.knownHosts}`);
  if (endpoint.noVerify) args.push('-o', 'StrictHostKeyChecking=no');
  args.push('--', endpoint.host);
  if (endpoint.socket) args.push(`${shellQuote(endpoint.netcat ?? 'nc')} -U ${shellQuote(endpoint.socket)}`);
  else args.push('virt-ssh-helper', shellQuote(openName));
  return args;
}

function openSsh(endpoint: Extract<Endpoint, { transport: 'ssh' }>, openName: string): Promise<Transport> {
  const args = sshArguments(endpoint, openName);
  const description = `ssh ${endpoint.user ? `${endpoint.user}@` : ''}${endpoint.host}${endpoint.port ? `:${endpoint.port}` : ''} ${endpoint.socket ? `netcat ${endpoint.socket}` : 'virt-ssh-helper'}`;
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (err) => reject(new LibvirtConnectionError(`${description}: ${err.message}`, { cause: err })));
    child.once('spawn', () => {
      const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
      stream.once('close', () => child.kill());
      child.once('exit', (code) => {
        if (code) stream.destroy(new LibvirtConnectionError(`${description} exited with ${code}: ${stderr.trim()}`));
      });
      resolve({ stream, description });
    });
  });
}

export function openTransport(endpoint: Endpoint, openName: string): Promise<Transport> {
  switch (endpoint.transport) {
    case 'unix':
      return openUnix(endpoint.socketPath);
    case 'tls':
      return openTls(endpoint);
    case 'ssh':
      return openSsh(endpoint, openName);
  }
}
