import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { explainListenError } from './listen-error.js';

/** The service's address and port, bound before anything is written and held until the HTTP server takes them. */
export interface HeldPort {
  /** The address bound: the one asked for, or what its name resolved to. */
  readonly address: string;
  /** The port bound: the one asked for, or the one the system chose for port 0. */
  readonly port: number;
  /** What the HTTP server's listen takes in place of an address: the bound socket itself. */
  readonly listenOptions: { readonly handle: unknown };
  /** Gives the connections that arrived while the port was held to `server`, which now listens on it. */
  handOver(server: Server): void;
  /** Lets the port go, when the start fails before the HTTP server took it. */
  release(): Promise<void>;
}

/**
 * Binds the address and port first, so that a start that cannot have them fails before the
 * store is opened and leaves it as it was, and no other program can take the port while the
 * store is prepared. Connections that arrive meanwhile wait, unread (`pauseOnConnect`), and are
 * handed to the HTTP server once it listens on the same socket: nothing is refused or lost.
 */
export async function holdPort(address: string, port: number): Promise<HeldPort> {
  const holder: Server = createServer({ pauseOnConnect: true });
  const waiting: Socket[] = [];
  const keep = (socket: Socket) => waiting.push(socket);
  holder.on('connection', keep);
  try {
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.listen({ host: address, port, exclusive: true }, resolve);
    });
  } catch (err) {
    throw explainListenError(err, address, port);
  }
  const bound = holder.address() as AddressInfo;
  return {
    address: bound.address,
    port: bound.port,
    // Node's listen takes a bound handle in place of an address (net.Server#listen(handle)).
    listenOptions: { handle: (holder as unknown as { _handle: unknown })._handle },
    handOver(server) {
      holder.off('connection', keep);
      for (const socket of waiting.splice(0)) {
        server.emit('connection', socket);
        socket.resume();
      }
    },
    release: () => new Promise<void>((resolve) => holder.close(() => resolve())),
  };
}
