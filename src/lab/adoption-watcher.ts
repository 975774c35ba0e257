import type { AdoptRule, SystemIds } from '../config/config.js';
import type { LibvirtConnections } from '../libvirt/connections.js';
import { discoverAdoptedSystems } from './adopted-systems.js';
import type { LabSystem } from './lab-systems.js';
import type { LoopHealth } from '../health/loop-health.js';

/** Lifecycle events after which a domain may be there that was not: defined, or started without a definition. */
const APPEARED = ['Defined', 'Started'];

/** The loop's name on /healthz. */
const ADOPTION = 'lab: looking for domains to adopt';

/**
 * Finds the domains the config's adopt rules name that no system stands for yet: once when the
 * lab starts, then whenever libvirt tells of a domain defined on a rule's URI, and on a timer in
 * case an event was missed (libvirt restarted, the connection was down). A domain it cannot
 * adopt (its name is no Redfish id, or taken) is reported once, not at every look.
 */
export class AdoptionWatcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly stops: (() => Promise<void>)[] = [];
  /** The rule URIs whose domain events it listens to. */
  private readonly listening = new Set<string>();
  /** Looks run one at a time; asks that come while one waits to run are answered by it. */
  private looks: Promise<void> = Promise.resolve();
  private lookWaiting = false;
  private readonly said = new Set<string>();
  private stopped = false;

  constructor(
    private readonly connections: LibvirtConnections,
    private readonly rules: readonly AdoptRule[],
    /** The systems the lab has now, configured and adopted. */
    private readonly known: () => readonly LabSystem[],
    private readonly log: (line: string) => void,
    private readonly health: LoopHealth,
    private readonly idsBy: SystemIds = 'name',
  ) {}

  /** The systems the rules find now that no known system stands for. */
  discover(): Promise<LabSystem[]> {
    return discoverAdoptedSystems(this.connections, this.rules, this.known(), (line) => this.sayOnce(line), this.idsBy);
  }

  /** From now on hands what it finds to `adopt`, which makes the systems known before the next look. */
  watch(adopt: (systems: LabSystem[]) => Promise<void>, intervalMs: number): void {
    const look = () => this.lookAgain(adopt);
    this.timer = setInterval(look, intervalMs);
    this.timer.unref();
    look();
  }

  private lookAgain(adopt: (systems: LabSystem[]) => Promise<void>): void {
    if (this.lookWaiting || this.stopped) return;
    this.lookWaiting = true;
    this.looks = this.looks.then(async () => {
      this.lookWaiting = false;
      if (this.stopped) return;
      try {
        for (const rule of this.rules) await this.listen(rule.uri, () => this.lookAgain(adopt));
        const found = await this.discover();
        if (found.length > 0 && !this.stopped) await adopt(found);
        this.health.succeeded(ADOPTION);
      } catch (err) {
        // The next event or tick looks again.
        if (!this.stopped) this.health.failed(ADOPTION, err);
      }
    });
  }

  private async listen(uri: string, look: () => void): Promise<void> {
    if (this.listening.has(uri)) return;
    const client = await this.connections.get(uri);
    this.stops.push(
      await client.onDomainEvent((event) => {
        if (event.kind !== 'lifecycle' || !APPEARED.includes(event.eventName)) return;
        if (this.known().some((s) => s.libvirtUri === uri && s.domainName === event.domain.name)) return;
        look();
      }),
    );
    this.listening.add(uri);
  }

  private sayOnce(line: string): void {
    if (this.said.has(line)) return;
    this.said.add(line);
    this.log(line);
  }

  /** A look under way is not waited for (libvirt may be slow to answer): it adopts nothing once stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.stops.map((stop) => stop().catch(() => undefined)));
  }
}
