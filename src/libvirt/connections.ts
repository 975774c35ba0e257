import { LibvirtClient, type LibvirtClientOptions } from './client.js';
import type { Hypervisor } from './hypervisor.js';
import {
  isSimulatedUri,
  SIMULATED_URI,
  SimulatedHypervisor,
  type SimulatedHypervisorOptions,
} from './simulated-hypervisor.js';
import { keptSimulatedHypervisor } from './simulated-state-file.js';

/**
 * How long a URI whose connection just failed is answered with that failure, without trying
 * again: one pass over a lab (define, claim, observe) asks a host that does not answer once,
 * rather than waiting out its connection time limit for each step and system.
 */
const FAILURE_MEMORY_MS = 3000;

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
  private readonly failures = new Map<string, { readonly at: number; readonly error: unknown }>();
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
      const failure = this.failures.get(uri);
      if (failure && Date.now() - failure.at < FAILURE_MEMORY_MS) return Promise.reject(failure.error);
      client = isSimulatedUri(uri)
        ? Promise.resolve().then(() => this.simulatedHost(uri))
        : LibvirtClient.connect(uri, this.options);
      // A failed first connection is not kept: a caller after FAILURE_MEMORY_MS tries again.
      client.catch((error: unknown) => {
        this.clients.delete(uri);
        this.failures.set(uri, { at: Date.now(), error });
      });
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

  /** Whether it is closing: work that needs a connection stops there, rather than failing once per item. */
  get closing(): boolean {
    return this.refusing;
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
