import type { EmulatorConfig } from '../config/config.js';
import type { EventStore } from '../eventstore/event-store.js';
import type { LibvirtConnections } from '../libvirt/connections.js';
import { labConnections } from './lab-connections.js';
import { isSimulatedUri, SIMULATED_URI, type SimulatedHypervisor } from '../libvirt/simulated-hypervisor.js';
import type { LabSystem } from './lab-systems.js';
import { AdoptionWatcher } from './adoption-watcher.js';
import { rememberedSystems } from './remembered-systems.js';
import { registerSystems } from './register-systems.js';
import { rebuildSecondsOf } from './lab-storage.js';
import { DomainObserver } from '../reconciler/domain-observer.js';
import { ensureDomains, ensurePool, systemsWithoutDomain } from './lab-provisioner.js';
import { StorageReconciler } from '../reconciler/storage-reconciler.js';
import { SystemReconciler } from '../reconciler/system-reconciler.js';
import { DefinitionReconciler } from '../reconciler/definition-reconciler.js';
import { claimReconcilerCheckpoints } from '../reconciler/reconciler-checkpoints.js';
import type { LoopHealth } from '../health/loop-health.js';
import { DomainLocks } from '../reconciler/domain-locks.js';
import { settleDomainOwnership, type Ownership } from './domain-ownership.js';
import { serviceUuid } from '../service-identity.js';
import { executeCommand } from '../eventstore/execute-command.js';
import { systemDecider, type SystemCommand } from '../domain/system/system-decider.js';
import { systemStream } from '../domain/system/system-events.js';

/** The start's name on /healthz while it fails. */
const LAB_START = 'lab start';
/** The name, on /healthz, of defining the domains of hosts that were down at start. */
const DEFINE_LATER = 'lab: defining domains on hosts that were down';

/**
 * The lab's side of the emulator: makes libvirt hold what the config describes (pool, domains
 * when asked to create them), adopts the existing domains the config names (and those that
 * appear later), then observes the domains and carries out what clients ask of them. If libvirt
 * cannot be reached it says so and tries again, while the Redfish service goes on answering from
 * its views.
 */
export class LabRuntime {
  private readonly connections: LibvirtConnections;
  private observer: DomainObserver | undefined;
  private reconciler: SystemReconciler | undefined;
  private definitions: DefinitionReconciler | undefined;
  private storage: StorageReconciler | undefined;
  private adoption: AdoptionWatcher | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** The systems whose domain could not be defined because their host did not answer, and the timer that tries again. */
  private undefinedOnDownHosts: readonly LabSystem[] = [];
  private defining: NodeJS.Timeout | undefined;
  /** The start under way, awaited by close so that nothing it opens outlives the runtime. */
  private starting: Promise<void> = Promise.resolve();
  private closed = false;
  private systems: readonly LabSystem[] = [];
  /** The systems whose domains this store owns (or has no domain yet): the ones it observes and changes. */
  private reconciled: readonly LabSystem[] = [];
  /** Settles when the lab is provisioned and observed for the first time. */
  readonly ready: Promise<void>;

  constructor(
    private readonly store: EventStore,
    private readonly config: EmulatorConfig,
    /** The configured systems; adopted ones join them when the lab starts and as their domains appear. */
    private readonly configured: readonly LabSystem[],
    private readonly log: (line: string) => void,
    /** Where its loops report failing and recovering. */
    private readonly health: LoopHealth,
    private readonly options: {
      resyncIntervalMs: number;
      retryMs: number;
      /** The simulated host to use instead of the one kept in the data directory (tests script its failures). */
      simulatedHost?: SimulatedHypervisor;
    } = {
      resyncIntervalMs: 10_000,
      retryMs: 5_000,
    },
  ) {
    claimReconcilerCheckpoints(store);
    this.connections = labConnections(config, configured, options.simulatedHost && { host: options.simulatedHost });
    this.ready = new Promise((resolve) => this.attempt(resolve));
  }

  private attempt(resolve: () => void): void {
    this.starting = this.start().then(
      () => {
        this.health.succeeded(LAB_START);
        resolve();
      },
      (err: Error) => {
        if (this.closed) return;
        this.health.failed(LAB_START, err);
        this.retry = setTimeout(() => this.attempt(resolve), this.options.retryMs);
      },
    );
  }

  private async start(): Promise<void> {
    const { pool } = this.config.libvirt;
    if (pool) {
      const defined = await ensurePool(this.connections, this.config.libvirt.uri, pool);
      this.log(
        `lab: ${defined ? 'defined' : 'found'} the storage pool ${pool.name} (${pool.path}) on ${this.config.libvirt.uri}`,
      );
    }
    if (this.closed) return;
    const real = this.configured.filter((system) => !isSimulatedUri(system.libvirtUri));
    let defined: string[] = [];
    if (this.config.lab.createMissingDomains) {
      const ensured = await ensureDomains(this.connections, real, this.poolForDomains());
      defined = ensured.defined;
      this.undefinedOnDownHosts = ensured.unreachable.map(({ system }) => system);
      const found = real.filter(
        (system) => !defined.includes(system.id) && !this.undefinedOnDownHosts.includes(system),
      );
      if (defined.length > 0) this.log(`lab: defined the domains of ${defined.join(', ')}`);
      if (found.length > 0)
        this.log(`lab: found the domains of ${found.map((s) => `${s.id} (${s.domainName})`).join(', ')}`);
      // Said once; the systems show UnavailableOffline meanwhile, and the rest of the lab starts without them.
      for (const { system, reason } of ensured.unreachable)
        this.log(
          `lab: system ${system.id}'s host ${system.libvirtUri} does not answer (${reason}); its domain ${system.domainName} is defined when it does`,
        );
    } else {
      // Said once at start; the system's Status shows it too (Absent) for as long as it lasts.
      for (const system of await systemsWithoutDomain(this.connections, real)) {
        this.log(
          `lab: system ${system.id}'s domain ${system.domainName} is not in libvirt (${system.libvirtUri}) and lab.createMissingDomains is false: define it, or set lab.createMissingDomains to true; the system is Absent until then`,
        );
      }
    }
    defined = [...defined, ...(await this.ensureSimulated())];
    if (this.closed) return;
    const rules = this.config.lab.adopt ?? [];
    this.systems = [...this.configured, ...rememberedSystems(this.store, this.configured, rules)];
    const adoption = new AdoptionWatcher(
      this.connections,
      rules,
      () => this.systems,
      this.log,
      this.health,
      this.config.lab.systemIds,
    );
    const adopted = await adoption.discover();
    if (this.closed) return;
    this.join(adopted);
    // A host found down just now is not asked again: its systems' owner is settled once their domain is defined.
    const down = this.undefinedOnDownHosts;
    this.reconciled = [
      ...(await this.settleOwnership(
        this.systems.filter((s) => !down.includes(s)),
        defined,
      )),
      ...down,
    ];
    if (this.closed) return;
    const systems = () => this.reconciled;
    const locks = new DomainLocks();
    const definitions = new DefinitionReconciler(this.store, this.connections, locks, this.health, this.log, {
      httpBootImages: this.config.libvirt.pool !== undefined,
    });
    this.definitions = definitions;
    this.observer = new DomainObserver(this.store, this.connections, systems, {
      resyncIntervalMs: this.options.resyncIntervalMs,
      health: this.health,
      onObserved: (system) => void definitions.reconcile(system),
    });
    await this.observer.start();
    if (this.closed) return;
    const caFile = this.config.lab.virtualMedia?.caFile;
    this.reconciler = new SystemReconciler(
      this.store,
      this.connections,
      systems,
      this.log,
      this.health,
      locks,
      definitions,
      { dir: this.config.libvirt.pool?.path, ...(caFile !== undefined && { caFile }) },
    );
    this.reconciler.start();
    // The systems as they are now: one adopted later has no emulated storage for it to look after.
    this.storage = new StorageReconciler(this.store, this.connections, this.reconciled, this.log, this.health, locks, {
      poolName: this.config.libvirt.pool?.name,
      driftCheckMs: this.options.resyncIntervalMs,
      rebuildSeconds: rebuildSecondsOf(this.config),
      rebuildTickMs: 1000,
    });
    this.storage.start();
    if (this.undefinedOnDownHosts.length > 0) this.defineWhenHostsAnswer();
    if (rules.length === 0 || this.closed) return;
    this.adoption = adoption;
    adoption.watch(async (appeared) => {
      if (this.closed) return;
      this.join(appeared);
      const owned = await this.settleOwnership(appeared, []);
      this.reconciled = [...this.reconciled, ...owned];
      await Promise.all(owned.map((system) => this.observer!.resync(system)));
    }, this.options.resyncIntervalMs);
  }

  /** The lab pool, for the root disks of domains defined on its own host. */
  private poolForDomains(): { uri: string; name: string } | undefined {
    const { pool } = this.config.libvirt;
    return pool && { uri: this.config.libvirt.uri, name: pool.name };
  }

  /**
   * The domains of systems whose host did not answer at start are defined once it does: tried
   * again every retryMs, each defined one claimed for this store and observed at once.
   */
  private defineWhenHostsAnswer(): void {
    this.defining = setTimeout(async () => {
      try {
        const ensured = await ensureDomains(this.connections, this.undefinedOnDownHosts, this.poolForDomains());
        if (this.closed) return;
        const answered = this.undefinedOnDownHosts.filter((s) => !ensured.unreachable.some((u) => u.system === s));
        this.undefinedOnDownHosts = ensured.unreachable.map(({ system }) => system);
        if (ensured.defined.length > 0) this.log(`lab: defined the domains of ${ensured.defined.join(', ')}`);
        // A domain another store defined there meanwhile is left alone, like any other store's.
        const owned = await this.settleOwnership(answered, ensured.defined);
        this.reconciled = this.reconciled.filter((s) => !answered.includes(s) || owned.includes(s));
        await Promise.all(answered.map((system) => this.observer?.resync(system)));
        this.health.succeeded(DEFINE_LATER);
      } catch (err) {
        if (!this.closed) this.health.failed(DEFINE_LATER, err);
      }
      if (this.undefinedOnDownHosts.length > 0 && !this.closed) this.defineWhenHostsAnswer();
    }, this.options.retryMs);
  }

  /**
   * The simulated systems' machines on the simulated host: always made when missing (there is
   * nothing else to find them in), with the lab pool's namesake for their volumes. Said as a
   * count, not a thousand names. Returns the ids defined.
   */
  private async ensureSimulated(): Promise<string[]> {
    const simulated = this.configured.filter((system) => isSimulatedUri(system.libvirtUri));
    if (simulated.length === 0) return [];
    const { pool } = this.config.libvirt;
    if (pool) await ensurePool(this.connections, SIMULATED_URI, pool);
    const { defined } = await ensureDomains(
      this.connections,
      simulated,
      pool && { uri: SIMULATED_URI, name: pool.name },
    );
    this.log(
      `lab: ${simulated.length} simulated systems on ${SIMULATED_URI} (${simulated[0]!.id} … ${simulated.at(-1)!.id}), ${defined.length} of them defined now`,
    );
    return defined;
  }

  /**
   * Adopted systems join the lab's, before they are registered: a reset asked for as soon as one
   * shows finds it known to the reconciler.
   */
  private join(adopted: readonly LabSystem[]): void {
    if (adopted.length === 0) return;
    this.log(`lab: adopted ${adopted.map((s) => `${s.id} (${s.libvirtUri})`).join(', ')}`);
    this.systems = [...this.systems, ...adopted];
    registerSystems(this.store, adopted);
  }

  /**
   * Makes sure each system's domain is this store's, as its libvirt metadata says: one with no
   * owner is claimed (said, unless this start defined it), another store's is left alone and its
   * system shown UnavailableOffline (said once, with the fix), unless lab.takeOver asks to take
   * it over. Returns the systems this store may observe and change.
   */
  private async settleOwnership(systems: readonly LabSystem[], definedNow: readonly string[]): Promise<LabSystem[]> {
    const store = serviceUuid(this.store);
    const takeOver = this.config.lab.takeOver ?? false;
    const owned: LabSystem[] = [];
    const fresh = new Set(definedNow);
    for (const system of systems) {
      // A stop under way: the rest is settled at the next start, not failed one system at a time.
      if (this.closed) break;
      let ownership: Ownership | undefined;
      try {
        ownership = await settleDomainOwnership(
          await this.connections.get(system.libvirtUri),
          system.domainName,
          store,
          takeOver,
        );
      } catch (err) {
        // A host that cannot be asked now holds the lab back no more than it did before owners:
        // the observer says it is unreachable, and its owner is checked at the next start.
        this.log(
          `lab: cannot check the owner of system ${system.id}'s domain ${system.domainName} on ${system.libvirtUri}: ${(err as Error).message}`,
        );
      }
      const stream = systemStream(system.id);
      const record = (command: SystemCommand) =>
        executeCommand(this.store, stream, systemDecider, command, { actor: 'emulator' });
      switch (ownership?.kind) {
        case 'elsewhere':
          record({ type: 'ObserveDomainOwnedElsewhere', owner: ownership.owner });
          this.log(
            `lab: system ${system.id}'s domain ${system.domainName} is owned by another store (${ownership.owner}); this emulator leaves it alone and shows the system UnavailableOffline: stop the emulator serving that store, or start this one with --take-over (key lab.takeOver) to take the domain over`,
          );
          continue;
        case 'claim':
          record({ type: 'RecordDomainClaim', store });
          if (!fresh.has(system.id))
            this.log(
              `lab: claimed the domain ${system.domainName} of system ${system.id} for this store (${store}); no store owned it`,
            );
          break;
        case 'take-over':
          record({ type: 'RecordDomainClaim', store, previousOwner: ownership.from });
          this.log(
            `lab: took the domain ${system.domainName} of system ${system.id} over from store ${ownership.from} (lab.takeOver)`,
          );
          break;
      }
      owned.push(system);
    }
    return owned;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearTimeout(this.defining);
    // A start under way opens nothing new and stops at its next step; what it started is stopped below.
    this.connections.refuseNew();
    await this.starting;
    await this.adoption?.stop();
    await this.storage?.stop();
    await this.reconciler?.stop();
    await this.observer?.stop();
    await this.definitions?.stop();
    await this.connections.closeAll();
  }
}
