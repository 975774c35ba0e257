import { LibvirtClient, type LibvirtClientOptions } from './client.js';

/**
 * How long a URI whose connection just failed is answered with that failure, without trying
 * again: one pass over a lab (define, claim, observe) asks a host that does not answer once,
 * rather than waiting out its connection time limit for each step and system.
 */
const FAILURE_MEMORY_MS = 3000;

/** One long-lived, reconnecting client per libvirt URI, opened on first use. */
export class LibvirtConnections {
  private readonly clients = new Map<string, Promise<LibvirtClient>>();
  private readonly failures = new Map<string, { readonly at: number; readonly error: unknown }>();
  /** Once closing, nothing connects again: a late caller gets an error, not a new connection. */
  private refusing = false;

  constructor(private readonly options: LibvirtClientOptions = {}) {}

  get(uri: string): Promise<LibvirtClient> {
    if (this.refusing) return Promise.reject(new Error(`libvirt connections are closing (${uri})`));
    let client = this.clients.get(uri);
    if (!client) {
      const failure = this.failures.get(uri);
      if (failure && Date.now() - failure.at < FAILURE_MEMORY_MS) return Promise.reject(failure.error);
      client = LibvirtClient.connect(uri, this.options);
      // A failed first connection is not kept: a caller after FAILURE_MEMORY_MS tries again.
      client.catch((error: unknown) => {
        this.clients.delete(uri);
        this.failures.set(uri, { at: Date.now(), error });
      });
      this.clients.set(uri, client);
    }
    return client;
  }

  /** Calls on the open connections go on; no new connection is made from now on. */
  refuseNew(): void {
    this.refusing = true;
  }

  async closeAll(): Promise<void> {
    this.refuseNew();
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(
      clients.map((c) =>
        c.then(
          (client) => client.close(),
          () => undefined,
        ),
      ),
    );
  }
}
