import type { EventStore } from '../eventstore/event-store.js';
import { indexBy } from './list-index.js';
import type { RecordedEvent } from '../eventstore/event.js';
import { executeCommand, loadState } from '../eventstore/execute-command.js';
import { followLog, type LogFollower } from '../eventstore/follow-log.js';
import { systemDecider } from '../domain/system/system-decider.js';
import {
  systemStream,
  type BootOverride,
  type ResetRequested,
  type VirtualMediaEjectRequested,
  type VirtualMediaInsertRequested,
} from '../domain/system/system-events.js';
import type { LibvirtConnections } from '../libvirt/connections.js';
import { domainKeyOf, type LabSystem } from '../lab/lab-systems.js';
import { applyReset } from './reset-actions.js';
import { mediaFile, mediaPasswordKey, setMedia } from './media-actions.js';
import { downloadImage } from './image-download.js';
import { httpBootFile, setHttpBootImage } from './http-boot-actions.js';
import { readFile, rm } from 'node:fs/promises';
import { trustOf, verifiesCertificates } from '../domain/system/media-trust.js';
import { SYSTEM_RECONCILER } from './reconciler-checkpoints.js';
import { LogCheckpoint } from './log-checkpoint.js';
import { KeyedLanes } from './keyed-lanes.js';
import type { LoopHealth } from '../health/loop-health.js';
import type { DomainLocks } from './domain-locks.js';
import { resourceOfStream } from '../health/loop-status.js';
import type { DefinitionReconciler } from './definition-reconciler.js';
import { bootsHttpImage } from './domain-definition.js';

/** The events that change what a system wants of its domain's definition. */
const DEFINITION_EVENTS = [
  'BootOverrideChanged',
  'BootOverrideConsumed',
  'BootModeChanged',
  'BiosSettingsApplied',
  'BiosReset',
];

/** The event types this reconciler carries out on a lab system's domain; it passes over the others. */
const CARRIED_OUT = new Set([
  'ResetRequested',
  'VirtualMediaInsertRequested',
  'VirtualMediaEjectRequested',
  ...DEFINITION_EVENTS,
]);

const NAME = 'system reconciler';

/** How many events' work is carried out at once, on different domains. */
const LANES = 32;

/** How often the fetch of a virtual media image records how far it has got: a long fetch says so, a short one says nothing. */
const PROGRESS_EVERY_MS = 2000;

/** Where virtual media images are kept (the lab pool's directory, which QEMU can read) and the lab's CA file for image servers. */
export interface VirtualMediaSettings {
  readonly dir?: string;
  readonly caFile?: string;
}

/**
 * Carries out what clients ask of systems, on libvirt: resets (recording each outcome), virtual
 * media, the UEFI HTTP boot image; on the events that change the domain's definition (boot order,
 * boot mode, BIOS settings), a round of the DefinitionReconciler. Each domain's requests are
 * carried out in log order, different domains' side by side (KeyedLanes). Its place in the log
 * is a checkpoint, so a request acknowledged just before the emulator stopped is carried out when
 * it starts again rather than left pending, and one carried out is not carried out again.
 */
export class SystemReconciler {
  private follower: LogFollower | undefined;
  private checkpoint: LogCheckpoint | undefined;
  private lanes: KeyedLanes | undefined;
  private readonly ofStream = indexBy(
    () => this.systems(),
    (system) => systemStream(system.id),
  );

  constructor(
    private readonly store: EventStore,
    private readonly connections: LibvirtConnections,
    /** The lab's systems, read at each request: a domain adopted after start is among them. */
    private readonly systems: () => readonly LabSystem[],
    private readonly log: (line: string) => void,
    private readonly health: LoopHealth,
    /** Shared with the storage reconciler: one change at a time to a domain's definition. */
    private readonly locks: DomainLocks,
    /** Keeps the boot order, firmware and BIOS settings in the domain's definition. */
    private readonly definitions: DefinitionReconciler,
    private readonly media: VirtualMediaSettings = {},
  ) {}

  start(): void {
    // Claimed when the service started (claimReconcilerCheckpoints): nothing accepted since is skipped.
    const checkpoint = new LogCheckpoint(this.store, SYSTEM_RECONCILER);
    const lanes = new KeyedLanes({ width: LANES, name: NAME, health: this.health, checkpoint });
    this.checkpoint = checkpoint;
    this.lanes = lanes;
    this.follower = followLog(this.store, {
      name: NAME,
      afterPosition: checkpoint.position,
      handler: (event) => this.handle(event, lanes, checkpoint),
      health: lanes.followerHealth,
      resourceOf: (event) => resourceOfStream(event.streamId),
    });
  }

  /** Hands the event's work to its domain's lane: systems' work goes on side by side, each system's in log order. */
  private async handle(event: RecordedEvent, lanes: KeyedLanes, checkpoint: LogCheckpoint): Promise<void> {
    const carriedOut = CARRIED_OUT.has(event.type) && !checkpoint.actedBefore(event.position);
    const system = carriedOut ? this.ofStream(event.streamId)[0] : undefined;
    if (!system) return lanes.pass(event.position);
    await lanes.add(
      domainKeyOf(system),
      event.position,
      () => this.carryOut(system, event),
      resourceOfStream(event.streamId),
    );
  }

  private async carryOut(system: LabSystem, event: RecordedEvent): Promise<void> {
    if (event.type === 'ResetRequested') await this.reset(system, event as RecordedEvent<ResetRequested['data']>);
    if (event.type === 'BootOverrideChanged') await this.setHttpBoot(system, event.data as BootOverride);
    if (event.type === 'BootOverrideConsumed')
      await this.setHttpBoot(system, { ...(event.data as BootOverride), enabled: 'Disabled' });
    if (event.type === 'VirtualMediaInsertRequested')
      await this.insertMedia(system, event as RecordedEvent<VirtualMediaInsertRequested['data']>);
    if (event.type === 'VirtualMediaEjectRequested') await this.ejectMedia(system, event);
    if (DEFINITION_EVENTS.includes(event.type)) await this.definitions.reconcile(system);
  }

  private async insertMedia(
    system: LabSystem,
    event: RecordedEvent<VirtualMediaInsertRequested['data']>,
  ): Promise<void> {
    const { device, image, userName } = event.data;
    const passwordKey = mediaPasswordKey(event.position);
    let message: string | undefined;
    try {
      // A system that only records its media (lab.simulated's virtualMedia) has the URL in its drive, unfetched.
      const recorded = system.virtualMedia === 'record';
      if (!this.media.dir && !recorded)
        throw new Error('no libvirt.pool is configured to keep virtual media images in');
      const { state } = loadState(this.store, event.streamId, systemDecider);
      const file = recorded ? image : mediaFile(this.media.dir!, system.id, device);
      const labCa = this.media.caFile ? [await readFile(this.media.caFile, 'utf8')] : [];
      let reported = Date.now();
      if (!recorded)
        await downloadImage(image, file, {
          onProgress: (bytes, totalBytes) => {
            if (Date.now() - reported < PROGRESS_EVERY_MS) return;
            reported = Date.now();
            this.record(event, {
              type: 'RecordMediaProgress',
              device,
              image,
              bytes,
              ...(totalBytes !== undefined && { totalBytes }),
            });
          },
          verify: verifiesCertificates(state.mediaTrust, device, state.registration?.mediaVerifyCertificate),
          ca: [...labCa, ...Object.values(trustOf(state.mediaTrust, device).certificates)],
          ...(userName !== undefined && { userName, password: this.store.secret(passwordKey) ?? '' }),
        });
      const client = await this.connections.get(system.libvirtUri);
      await this.locks.exclusive(system, async () =>
        setMedia(client, await client.domainLookupByName(system.domainName), device, file),
      );
    } catch (err) {
      message = (err as Error).message;
      this.log(`inserting ${image} into ${system.id}: ${message}`);
    }
    this.record(event, {
      type: 'RecordMediaOutcome',
      device,
      action: 'insert',
      image,
      ...(message !== undefined && { message }),
    });
    this.store.forgetSecret(passwordKey);
  }

  private async ejectMedia(system: LabSystem, event: RecordedEvent): Promise<void> {
    const { device } = event.data as VirtualMediaEjectRequested['data'];
    try {
      const client = await this.connections.get(system.libvirtUri);
      await this.locks.exclusive(system, async () =>
        setMedia(client, await client.domainLookupByName(system.domainName), device, undefined),
      );
      if (this.media.dir) await rm(mediaFile(this.media.dir, system.id, device), { force: true });
    } catch (err) {
      this.log(`ejecting the ${device} of ${system.id}: ${(err as Error).message}`);
    }
    this.record(event, { type: 'RecordMediaOutcome', device, action: 'eject' });
  }

  /** Records what came of a request, tied to it by causation and request id. */
  private record(event: RecordedEvent, command: Parameters<typeof systemDecider.decide>[0]): void {
    executeCommand(this.store, event.streamId, systemDecider, command, {
      actor: 'reconciler',
      causationId: event.position,
      ...(event.meta.requestId && { requestId: event.meta.requestId }),
    });
  }

  /**
   * UefiHttp with an HttpBootUri fetches the image and boots its own drive first; any other
   * override removes that drive. The boot order otherwise is the definition's, kept by the
   * DefinitionReconciler.
   */
  private async setHttpBoot(system: LabSystem, override: BootOverride): Promise<void> {
    try {
      const client = await this.connections.get(system.libvirtUri);
      const domain = await client.domainLookupByName(system.domainName);
      const dir = this.media.dir;
      // A simulated machine that only records its media takes the address as its image.
      if (bootsHttpImage(override, true) && system.virtualMedia === 'record') {
        await this.locks.exclusive(system, () => setHttpBootImage(client, domain, override.httpBootUri!));
        return;
      }
      if (dir && bootsHttpImage(override, true)) {
        const file = httpBootFile(dir, system.id);
        const { state } = loadState(this.store, systemStream(system.id), systemDecider);
        const labCa = this.media.caFile ? [await readFile(this.media.caFile, 'utf8')] : [];
        await downloadImage(override.httpBootUri!, file, {
          verify: state.registration?.mediaVerifyCertificate ?? false,
          ca: labCa,
        });
        await this.locks.exclusive(system, () => setHttpBootImage(client, domain, file));
        return;
      }
      await this.locks.exclusive(system, () => setHttpBootImage(client, domain, undefined));
      if (dir) await rm(httpBootFile(dir, system.id), { force: true });
    } catch (err) {
      this.log(`HTTP boot image of ${system.id}: ${(err as Error).message}`);
    }
  }

  private async reset(system: LabSystem, event: RecordedEvent<ResetRequested['data']>): Promise<void> {
    const { resetType } = event.data;
    let message: string | undefined;
    try {
      const client = await this.connections.get(system.libvirtUri);
      await applyReset(client, await client.domainLookupByName(system.domainName), resetType);
    } catch (err) {
      message = (err as Error).message;
      this.log(`reset ${resetType} of ${system.id} failed: ${message}`);
    }
    this.record(event, {
      type: 'RecordResetOutcome',
      resetType,
      requestedAt: event.position,
      ...(message !== undefined && { message }),
    });
  }

  async stop(): Promise<void> {
    await Promise.all([this.follower?.close(), this.lanes?.close()]);
    this.checkpoint?.stop();
  }
}
