import type { EventStore } from '../eventstore/event-store.js';
import { loadState } from '../eventstore/execute-command.js';
import { systemDecider } from '../domain/system/system-decider.js';
import { systemStream } from '../domain/system/system-events.js';
import { domainKeyOf, type LabSystem } from '../lab/lab-systems.js';
import type { LoopHealth } from '../health/loop-health.js';
import type { DomainLocks } from './domain-locks.js';
import { redefineDomain, type DefinitionClient } from './redefine-domain.js';
import {
  changedPart,
  convergedDefinition,
  definitionDrift,
  wantedDefinition,
  type DefinitionPart,
  type WantedDefinition,
} from './domain-definition.js';

export interface DefinitionReconcilerOptions {
  /** Whether UefiHttp images are fetched into a drive of their own (the lab has a directory for them). */
  readonly httpBootImages: boolean;
  /** The first wait after a failure, doubled at each failure in a row up to maxRetryMs. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

/** One system's rounds: at most one runs, and one more is asked for when something asks meanwhile. */
interface Rounds {
  running?: Promise<void>;
  again: boolean;
  failures: number;
  retry?: NodeJS.Timeout;
  /** What the last round that went through left the definition as: a part that differs from it since was changed outside. */
  left?: WantedDefinition;
}

/**
 * Keeps each domain's persistent definition (boot order, firmware, BIOS settings) as its system's
 * state wants it, level-triggered like a Kubernetes controller's Reconcile: each round folds the
 * system's stream, compares the parts it owns with libvirt's definition and defines it again only
 * when they differ. Rounds run on the events that change what is wanted, on every resync of the
 * domain observer (so a definition changed behind the emulator's back, with virsh edit or by a
 * round that failed, is put right), and after a failure with backoff until one goes through; a
 * failure is shown on the system (Health Warning and a Condition) until then.
 */
export class DefinitionReconciler {
  private readonly rounds = new Map<string, Rounds>();
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    /** The lab's connections (LibvirtConnections): a client per URI. */
    private readonly connections: { get(uri: string): Promise<DefinitionClient> },
    /** Shared with the other reconcilers: one change at a time to a domain's definition. */
    private readonly locks: DomainLocks,
    private readonly health: LoopHealth,
    private readonly log: (line: string) => void,
    private readonly options: DefinitionReconcilerOptions,
  ) {}

  /** Settles once a round that started after this call has run (whether it failed or not). */
  reconcile(system: LabSystem): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const key = domainKeyOf(system);
    let rounds = this.rounds.get(key);
    if (!rounds) this.rounds.set(key, (rounds = { again: false, failures: 0 }));
    rounds.again = true;
    rounds.running ??= this.drain(system, rounds);
    return rounds.running;
  }

  private async drain(system: LabSystem, rounds: Rounds): Promise<void> {
    try {
      while (rounds.again && !this.stopped) {
        rounds.again = false;
        await this.round(system, rounds);
      }
    } finally {
      rounds.running = undefined;
    }
  }

  private async round(system: LabSystem, rounds: Rounds): Promise<void> {
    const name = `domain definition of ${system.id} (${system.domainName} on ${system.libvirtUri})`;
    const stream = systemStream(system.id);
    clearTimeout(rounds.retry);
    try {
      const { state } = loadState(this.store, stream, systemDecider);
      // No domain to change, or no daemon to ask: the system's Status says so, and the observer's
      // resync once it is back starts a round. Nothing wanted of it (no client has set a part):
      // libvirt is not even asked.
      const unreachable = state.domainMissing || state.hostUnreachable || state.ownedElsewhere !== undefined;
      const nothingWanted = Object.keys(wantedDefinition(state, this.options)).length === 0;
      if (unreachable || nothingWanted) {
        if (nothingWanted) rounds.left = {};
        rounds.failures = 0;
        return this.health.succeeded(name);
      }
      const client = await this.connections.get(system.libvirtUri);
      let wanted: WantedDefinition = {};
      let drift: DefinitionPart[] = [];
      // The state is read where the edit runs, under the domain's lock: a change asked for while
      // the round waited for it is in this round.
      const defined = await redefineDomain(client, this.locks, system, (xml) => {
        wanted = wantedDefinition(loadState(this.store, stream, systemDecider).state, this.options);
        drift = definitionDrift(xml, wanted);
        return convergedDefinition(xml, wanted);
      });
      rounds.failures = 0;
      this.health.succeeded(name);
      // What the log asks for anew is carried out without a word; what was changed outside is said.
      const outside = drift.filter((part) => !rounds.left || !changedPart(rounds.left, wanted, part));
      if (defined && outside.length > 0)
        this.log(
          `lab: system ${system.id}'s domain ${system.domainName} differed from what the log says (${outside.join(', ')}); defined it again`,
        );
      rounds.left = wanted;
    } catch (err) {
      if (this.stopped) return;
      this.health.failed(name, err, stream);
      const wait = Math.min(this.options.maxRetryMs ?? 30_000, (this.options.retryMs ?? 1000) * 2 ** rounds.failures);
      rounds.failures += 1;
      rounds.retry = setTimeout(() => void this.reconcile(system), wait);
      rounds.retry.unref();
    }
  }

  /** No round starts from now on; settles once those running have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const rounds of this.rounds.values()) clearTimeout(rounds.retry);
    await Promise.all([...this.rounds.values()].map((rounds) => rounds.running));
  }
}
