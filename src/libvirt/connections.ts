import { LibvirtClient, type LibvirtClientOptions } from './client.js';
import type { Hypervisor } from './hypervisor.js';
import {
  isSimulatedUri,
  SIMULATED_URI,
  SimulatedHypervisor,
  type SimulatedHypervisorOptions,
} from './simulated-hypervisor.js';
import { keptSimulatedHypervisor } from './simulated-state-file.js';

/** The simulated host handed out for simulated:///: how its power changes take their time, and where its state is kept. */
export interface SimulationOptions {
  readonly powerDelayMs?: SimulatedHypervisorOptions['powerDelayMs'];
  /** The file its state is kept in between starts; in memory only when absent. */
  readonly stateFile?: string;
  /** A host made by the caller (a test's, with scripted failures), handed out as it is. */
  readonly host?: SimulatedHypervisor;
}

/**
 * One long-lived host per URI, opened on first use: a reconnecting libvirt client, or for
 * simulated:/// the in-memory host of machines with no VM behind them.
 */
export class LibvirtConnections {
  private readonly clients = new Map<string, Promise<Hypervisor>>();
  /** Once closing, nothing connects again: a late caller gets an error, not a new connection. */
  private refusing = false;

  constructor(
    private readonly options: LibvirtClientOptions = {},
    private readonly simulation: SimulationOptions = {},
  ) {}

  get(uri: string): Promise<Hypervisor> {
    if (this.refusing) return Promise.reject(new Error(`libvirt connections are closing (${uri})`));
    let client = this.clients.get(uri);
    if (!client) {
      client = isSimulatedUri(uri)
        ? Promise.resolve().then(() => this.simulatedHost(uri))
        : LibvirtClient.connect(uri, this.options);
      // A failed first connection is not cached: the next caller tries again.
      client.catch(() => this.clients.delete(uri));
      this.clients.set(uri, client);
    }
    return client;
  }

  private simulatedHost(uri: string): SimulatedHypervisor {
    const { host, stateFile, powerDelayMs } = this.simulation;
    if (host) return host;
    const options = { ...(powerDelayMs && { powerDelayMs }) };
    // One host, one state: any other simulated URI is refused rather than sharing or losing it.
    if (uri !== SIMULATED_URI)
      throw new Error(`unknown simulated host '${uri}': the one simulated host is ${SIMULATED_URI}`);
    return stateFile ? keptSimulatedHypervisor(stateFile, options) : new SimulatedHypervisor(options);
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
