/** Where and how to reach a libvirt daemon, derived from a libvirt connection URI. */
export type Endpoint =
  | { readonly transport: 'unix'; readonly socketPath: string }
  | { readonly transport: 'tls'; readonly host: string; readonly port: number; readonly pkiPath?: string }
  | ({ readonly transport: 'ssh'; readonly host: string; readonly user?: string; readonly port?: number } & SshOptions);

/** libvirt's own ssh URI parameters, with the same names and meaning as in virsh's URIs. */
export interface SshOptions {
  /** keyfile=: the private key ssh authenticates with (`ssh -i`). */
  readonly keyFile?: string;
  /** known_hosts=: the known_hosts file that checks the host's key. */
  readonly knownHosts?: string;
  /** no_verify=1: accept a host key that is not known. */
  readonly noVerify?: boolean;
  /** socket=: the daemon's socket on the remote host, reached through netcat instead of virt-ssh-helper. */
  readonly socket?: string;
  /** netcat=: the netcat command on the remote host (default nc). */
  readonly netcat?: string;
}

export interface ParsedUri {
  readonly endpoint: Endpoint;
  /** The name sent in CONNECT_OPEN: the URI without transport and host, e.g. qemu:///system. */
  readonly openName: string;
  readonly readOnly: boolean;
}

export const DEFAULT_SOCKET = '/run/libvirt/libvirt-sock';
export const DEFAULT_READ_ONLY_SOCKET = '/run/libvirt/libvirt-sock-ro';

/**
 * Maps `driver[+transport]://[user@][host][:port]/path[?socket=…]` to an endpoint.
 * Local URIs (no host, or +unix) use the daemon's socket; `+tls` a TLS connection on 16514
 * (`pkipath=` a directory of cacert.pem, clientcert.pem and clientkey.pem); `+ssh` the
 * virt-ssh-helper on the remote host, or netcat to `socket=` (see SshOptions).
 */
export function parseLibvirtUri(uri: string, options: { readOnly?: boolean } = {}): ParsedUri {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`not a libvirt URI: '${uri}' (expected e.g. qemu:///system or qemu+tls://host/system)`);
  }
  const [driver, transport] = url.protocol.replace(/:$/, '').split('+') as [string, string | undefined];
  const openName = `${driver}://${url.pathname}`;
  const readOnly = options.readOnly ?? false;
  const socketParam = url.searchParams.get('socket');
  if (!url.hostname || transport === 'unix') {
    if (transport && transport !== 'unix')
      throw new Error(`libvirt URI '${uri}': transport '${transport}' needs a host`);
    return {
      endpoint: {
        transport: 'unix',
        socketPath: socketParam ?? (readOnly ? DEFAULT_READ_ONLY_SOCKET : DEFAULT_SOCKET),
      },
      openName,
      readOnly,
    };
  }
  const port = url.port ? Number(url.port) : undefined;
  switch (transport ?? 'tls') {
    case 'tls': {
      const pkiPath = url.searchParams.get('pkipath');
      return {
        endpoint: { transport: 'tls', host: url.hostname, port: port ?? 16514, ...(pkiPath && { pkiPath }) },
        openName,
        readOnly,
      };
    }
    case 'ssh':
      return {
        endpoint: {
          transport: 'ssh',
          host: url.hostname,
          ...(url.username && { user: decodeURIComponent(url.username) }),
          ...(port && { port }),
          ...sshOptions(url.searchParams),
        },
        openName,
        readOnly,
      };
    default:
      throw new Error(`libvirt URI '${uri}': transport '${transport}' is not supported (use unix, tls or ssh)`);
  }
}

function sshOptions(params: URLSearchParams): SshOptions {
  const keyFile = params.get('keyfile');
  const knownHosts = params.get('known_hosts');
  const socket = params.get('socket');
  const netcat = params.get('netcat');
  const noVerify = params.get('no_verify');
  return {
    ...(keyFile && { keyFile }),
    ...(knownHosts && { knownHosts }),
    ...(noVerify && noVerify !== '0' && { noVerify: true }),
    ...(socket && { socket }),
    ...(netcat && { netcat }),
  };
}
