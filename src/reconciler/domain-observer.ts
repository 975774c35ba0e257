import type { EventStore } from '../eventstore/event-store.js';
import { executeCommand } from '../eventstore/execute-command.js';
import { WrongExpectedVersionError } from '../eventstore/conflict.js';
import { systemDecider, type SystemCommand } from '../domain/system/system-decider.js';
import { systemStream, type ObservedDisk } from '../domain/system/system-events.js';
import type { LibvirtConnections } from '../libvirt/connections.js';
import { LibvirtConnectionError, LibvirtError, missing } from '../libvirt/errors.js';
import { DomainXmlFlag } from '../libvirt/constants.js';
import { readDomainXml, type DomainDescription, type DomainDisk } from '../libvirt/xml/domain-xml.js';
import type { Hypervisor } from '../libvirt/hypervisor.js';
import type { LabSystem } from '../lab/lab-systems.js';
import { isSettling, powerStateOf } from './power-state.js';
import { backingVolumeOwner } from '../domain/storage/backing-volume-name.js';
import { basename } from 'node:path';
import type { LoopHealth } from '../health/loop-health.js';
import { indexBy } from './list-index.js';

export interface DomainObserverOptions {
  /** How often every system is compared with libvirt, events or not. */
  readonly resyncIntervalMs: number;
  /** Where a system that cannot be observed is reported (once when it starts failing, once when it recovers). */
  readonly health: LoopHealth;
  /** Told of each system whose domain it has just seen, to compare what else the log wants of it. */
  readonly onObserved?: (system: LabSystem) => void;
}

/**
 * Keeps what the log says about each system's domain in step with libvirt: on every lifecycle
 * event of a lab domain, after every reconnect (events may have been missed), and on a timer.
 * What it sees is recorded as observed events, only when something changed. The lab's systems
 * are read when needed, not copied: a domain adopted after start is observed like the others.
 */
export class DomainObserver {
  private timer: NodeJS.Timeout | undefined;
  private readonly stops: (() => Promise<void>)[] = [];
  /** The URIs whose domain events it listens to. */
  private readonly listening = new Set<string>();
  private stopped = false;
  /** The timer's resync of every system, while it runs. */
  private round: Promise<void> | undefined;
  /** Each system's domain XML as last read and what it says: a resync of a domain that did not change parses nothing. */
  private readonly described = new Map<string, { readonly xml: string; readonly description: DomainDescription }>();
  private readonly onUri = indexBy(
    () => this.systems(),
    (system) => system.libvirtUri,
  );
  private readonly ofDomain = indexBy(
    () => this.systems(),
    (system) => domainKey(system.libvirtUri, system.domainName),
  );

  constructor(
    private readonly store: EventStore,
    private readonly connections: LibvirtConnections,
    private readonly systems: () => readonly LabSystem[],
    private readonly options: DomainObserverOptions,
  ) {}

  async start(): Promise<void> {
    // A host that does not answer is not listened to yet: each resync of its systems tries again and shows it unreachable.
    const uris = [...new Set(this.systems().map((s) => s.libvirtUri))];
    await Promise.all(uris.map((uri) => this.listen(uri).catch(() => undefined)));
    await this.resyncAll();
    // A round still going when the next is due (ten thousand systems) is let finish, not joined by another.
    this.timer = setInterval(() => {
      this.round ??= this.resyncAll().finally(() => (this.round = undefined));
    }, this.options.resyncIntervalMs);
    this.timer.unref();
  }

  /** Resyncs a URI's systems on each of its domains' events, and after a reconnect (events may have been missed). */
  private async listen(uri: string): Promise<void> {
    if (this.listening.has(uri)) return;
    this.listening.add(uri);
    try {
      const client = await this.connections.get(uri);
      const onUri = () => this.onUri(uri);
      this.stops.push(
        await client.onDomainEvent((event) => {
          // The first system of the domain, as a look through the list in order finds it.
          const system = this.ofDomain(domainKey(uri, event.domain.name))[0];
          if (system) void this.resync(system);
        }),
      );
      client.on('reconnected', () => void this.resyncEach(onUri()));
      // At once, rather than when the next resync's calls give up waiting for a reconnect.
      client.on('disconnected', (error?: Error) => {
        for (const system of onUri())
          this.record(system, { type: 'ObserveHostUnreachable', reason: error?.message ?? 'the connection closed' });
      });
    } catch (err) {
      // Not listening after all: the next resync of a system on this URI tries again.
      this.listening.delete(uri);
      throw err;
    }
  }

  async resyncAll(): Promise<void> {
    await this.resyncEach(this.systems());
  }

  /**
   * Resyncs `systems` RESYNC_WIDTH at a time: all at once, ten thousand systems' calls, their
   * XML and their appends would all be in memory together.
   */
  private async resyncEach(systems: readonly LabSystem[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < systems.length && !this.halted) await this.resync(systems[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(RESYNC_WIDTH, systems.length) }, worker));
  }

  /** Reads one system's domain from libvirt and records whatever differs from the log. */
  async resync(system: LabSystem): Promise<void> {
    if (this.halted) return;
    // Failing is shown on the system; the next event, reconnect or tick tries again.
    const name = `domain observer of ${system.id} (${system.domainName} on ${system.libvirtUri})`;
    try {
      await this.listen(system.libvirtUri);
      const client = await this.connections.get(system.libvirtUri);
      const domain = await client.domainLookupByName(system.domainName);
      this.record(system, { type: 'ObserveHostReachable' });
      const [xml, definition, state] = await Promise.all([
        client.domainGetXml(domain),
        client.domainGetXml(domain, DomainXmlFlag.Inactive),
        client.domainGetState(domain),
      ]);
      const description = this.describe(system, xml);
      this.record(system, {
        type: 'ObserveDomain',
        uuid: description.uuid,
        vcpus: description.vcpus,
        memoryBytes: description.memoryBytes,
        // What the next boot uses: the definition's firmware, which a running machine may not have yet.
        firmware: xml === definition ? description.firmware : readDomainXml(definition).firmware,
        macAddresses: description.nics.flatMap((n) => (n.mac ? [n.mac] : [])),
        disks: await observeDisks(client, description.disks, (file) => backsAVolume(system, file)),
      });
      // A machine still starting is recorded once it runs: libvirt's event for that brings a resync.
      if (!isSettling(state)) this.record(system, { type: 'ObservePowerState', powerState: powerStateOf(state) });
      this.options.health.succeeded(name);
      this.options.onObserved?.(system);
    } catch (err) {
      // Not there, whether at the lookup or undefined between it and the reads that follow: a state, not a failure.
      if (err instanceof LibvirtError && err.isNoDomain) {
        this.record(system, { type: 'ObserveHostReachable' });
        this.record(system, { type: 'ObserveDomainMissing' });
        return this.options.health.succeeded(name);
      }
      if (err instanceof LibvirtConnectionError)
        this.record(system, { type: 'ObserveHostUnreachable', reason: err.message });
      if (!this.halted) this.options.health.failed(name, err, systemStream(system.id));
    }
  }

  /** Stopped, or its connections closing (a stop while the lab starts): what is cut short is not a failure. */
  private get halted(): boolean {
    return this.stopped || this.connections.closing;
  }

  private describe(system: LabSystem, xml: string): DomainDescription {
    const known = this.described.get(system.id);
    if (known?.xml === xml) return known.description;
    const description = readDomainXml(xml);
    this.described.set(system.id, { xml, description });
    return description;
  }

  private record(system: LabSystem, command: SystemCommand): void {
    if (this.stopped) return;
    const stream = systemStream(system.id);
    try {
      executeCommand(this.store, stream, systemDecider, command, { actor: 'libvirt-observer' });
    } catch (err) {
      // Another writer got in between: decide again on fresh state.
      if (!(err instanceof WrongExpectedVersionError)) throw err;
      executeCommand(this.store, stream, systemDecider, command, { actor: 'libvirt-observer' });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.stops.map((stop) => stop().catch(() => undefined)));
  }
}

/** How many systems a resync of many observes at once. */
const RESYNC_WIDTH = 32;

const domainKey = (uri: string, domainName: string) => `${uri}\n${domainName}`;

/** Whether the file backs a logical volume of one of the system's emulated controllers (of any store). */
const backsAVolume = (system: LabSystem, file: string): boolean =>
  (system.config.storage ?? []).some(
    (storage) => backingVolumeOwner(basename(file), system.id, storage.id) !== undefined,
  );

/**
 * The domain's disks (not CD-ROMs or floppies, nor the backing of an emulated controller's
 * volumes, which its Storage shows), each with its capacity when it is a pool volume.
 */
async function observeDisks(
  client: Hypervisor,
  all: readonly DomainDisk[],
  backsAVolume: (file: string) => boolean,
): Promise<ObservedDisk[]> {
  const disks = all.filter((disk) => disk.device === 'disk' && disk.targetDev && !backsAVolume(disk.sourceFile ?? ''));
  const capacities = await Promise.all(
    disks.map(async (disk) => {
      if (!disk.sourceFile) return undefined;
      const volume = await missing(client.volumeLookupByPath(disk.sourceFile), (e) => e.isNoStorageVolume);
      return volume && Number((await client.volumeGetInfo(volume)).capacity);
    }),
  );
  return disks.flatMap((disk, i) => {
    if (!disk.targetDev) return [];
    const capacityBytes = capacities[i];
    return [
      {
        target: disk.targetDev,
        bus: disk.targetBus ?? 'virtio',
        ...(capacityBytes !== undefined && { capacityBytes }),
      },
    ];
  });
}
