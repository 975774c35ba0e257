/** Where and how to reach a libvirt daemon, derived from a libvirt connection URI. */
export type Endpoint =
  | { readonly transport: 'unix'; readonly socketPath: string }
  | { readonly transport: 'tls'; readonly host: string; readonly port: number }
  | { readonly transport: 'ssh'; readonly host: string; readonly user?: string; readonly port?: number };

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
 * Local URIs (no host, or +unix) use the daemon's socket; `+tls` a TLS connection on 16514;
 * `+ssh` the virt-ssh-helper on the remote host.
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
    if (transport && transport !== 'unix') throw new Error(`libvirt URI '${uri}': transport '${transport}' needs a host`);
    return {
      endpoint: { transport: 'unix', socketPath: socketParam ?? (readOnly ? DEFAULT_READ_ONLY_SOCKET : DEFAULT_SOCKET) },
      openName,
      readOnly,
    };
  }
  const port = url.port ? Number(url.port) : undefined;
  switch (transport ?? 'tls') {
    case 'tls':
      return { endpoint: { transport: 'tls', host: url.hostname, port: port ?? 16514 }, openName, readOnly };
    case 'ssh':
      return {
        endpoint: { transport: 'ssh', host: url.hostname, ...(url.username && { user: decodeURIComponent(url.username) }), ...(port && { port }) },
        openName,
        readOnly,
      };
    default:
      throw new Error(`libvirt URI '${uri}': transport '${transport}' is not supported (use unix, tls or ssh)`);
  }
}
