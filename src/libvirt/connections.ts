import { LibvirtClient, type LibvirtClientOptions } from './client.js';

/** One long-lived, reconnecting client per libvirt URI, opened on first use. */
export class LibvirtConnections {
  private readonly clients = new Map<string, Promise<LibvirtClient>>();

  constructor(private readonly options: LibvirtClientOptions = {}) {}

  get(uri: string): Promise<LibvirtClient> {
    let client = this.clients.get(uri);
    if (!client) {
      client = LibvirtClient.connect(uri, this.options);
      // A failed first connection is not cached: the next caller tries again.
      client.catch(() => this.clients.delete(uri));
      this.clients.set(uri, client);
    }
    return client;
  }

  async closeAll(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.then((client) => client.close(), () => undefined)));
  }
}
