import { LibvirtClient, type LibvirtClientOptions } from './client.js';

/** One long-lived, reconnecting client per libvirt URI, opened on first use. */
export class LibvirtConnections {
  private readonly clients = new Map<string, Promise<LibvirtClient>>();
  /** Once closing, nothing connects again: a late caller gets an error, not a new connection. */
  private refusing = false;

  constructor(private readonly options: LibvirtClientOptions = {}) {}

  get(uri: string): Promise<LibvirtClient> {
    if (this.refusing) return Promise.reject(new Error(`libvirt connections are closing (${uri})`));
    let client = this.clients.get(uri);
    if (!client) {
      client = LibvirtClient.connect(uri, this.options);
      // A failed first connection is not cached: the next caller tries again.
      client.catch(() => this.clients.delete(uri));
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
