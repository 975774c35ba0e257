import type { EventStore } from '../eventstore/event-store.js';
import type { RecordedEvent } from '../eventstore/event.js';
import { executeCommand, loadState } from '../eventstore/execute-command.js';
import { followLog, type LogFollower } from '../eventstore/follow-log.js';
import { systemDecider } from '../domain/system/system-decider.js';
import {
  systemStream,
  type BootMode,
  type BootModeChanged,
  type BootOverride,
  type ResetRequested,
  type VirtualMediaEjectRequested,
  type VirtualMediaInsertRequested,
} from '../domain/system/system-events.js';
import type { LibvirtConnections } from '../libvirt/connections.js';
import { DomainXmlFlag } from '../libvirt/constants.js';
import { withBootOrder } from '../libvirt/xml/boot-order.js';
import { withSettings } from '../libvirt/xml/settings-metadata.js';
import { withFirmware } from '../libvirt/xml/firmware.js';
import { readDomainXml } from '../libvirt/xml/domain-xml.js';
import type { BootDevice } from '../libvirt/xml/domain-xml.js';
import type { LabSystem } from '../lab/lab-systems.js';
import { applyReset } from './reset-actions.js';
import { mediaFile, mediaPasswordKey, setMedia } from './media-actions.js';
import { downloadImage } from './image-download.js';
import { httpBootFile, setHttpBootImage } from './http-boot-actions.js';
import { readFile, rm } from 'node:fs/promises';
import { trustOf, verifiesCertificates } from '../domain/system/media-trust.js';
import { SYSTEM_RECONCILER } from './reconciler-checkpoints.js';
import type { LoopHealth } from '../health/loop-health.js';
import type { DomainLocks } from './domain-locks.js';
import { resourceOfStream } from '../health/loop-status.js';

/** The boot order a domain should have for an override: its target first, then disk and network. */
export function bootOrderFor(override: BootOverride): BootDevice[] {
  const usual: BootDevice[] = ['hd', 'network'];
  if (override.enabled === 'Disabled' || override.target === 'None') return usual;
  // UefiHttp without an image: the firmware boots over the network (DHCP hands it the URL).
  const first = ({ Pxe: 'network', Hdd: 'hd', Cd: 'cdrom', Floppy: 'fd', UefiHttp: 'network' } as const)[
    override.target
  ];
  return [first, ...usual.filter((d) => d !== first)];
}

/** How often the fetch of a virtual media image records how far it has got: a long fetch says so, a short one says nothing. */
const PROGRESS_EVERY_MS = 2000;

/** Where virtual media images are kept (the lab pool's directory, which QEMU can read) and the lab's CA file for image servers. */
export interface VirtualMediaSettings {
  readonly dir?: string;
  readonly caFile?: string;
}

/**
 * Carries out what clients ask of systems, on libvirt and in log order: resets (recording each
 * outcome) and boot overrides (the domain's persistent boot order, put back once a one-time
 * override has been used). Its place in the log is a checkpoint, so a request acknowledged just
 * before the emulator stopped is carried out when it starts again rather than left pending.
 */
export class SystemReconciler {
  private follower: LogFollower | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly connections: LibvirtConnections,
    /** The lab's systems, read at each request: a domain adopted after start is among them. */
    private readonly systems: () => readonly LabSystem[],
    private readonly log: (line: string) => void,
    private readonly health: LoopHealth,
    /** Shared with the storage reconciler: one change at a time to a domain's definition. */
    private readonly locks: DomainLocks,
    private readonly media: VirtualMediaSettings = {},
  ) {}

  start(): void {
    // Claimed when the service started (claimReconcilerCheckpoints): nothing accepted since is skipped.
    const after = this.store.checkpoint(SYSTEM_RECONCILER) ?? 0;
    this.follower = followLog(this.store, {
      name: 'system reconciler',
      afterPosition: after,
      handler: (event) => this.handle(event),
      health: this.health,
      resourceOf: (event) => resourceOfStream(event.streamId),
    });
  }

  private async handle(event: RecordedEvent): Promise<void> {
    const system = this.systems().find((s) => systemStream(s.id) === event.streamId);
    if (system && event.type === 'ResetRequested')
      await this.reset(system, event as RecordedEvent<ResetRequested['data']>);
    if (system && event.type === 'BootOverrideChanged') await this.setBootOrder(system, event.data as BootOverride);
    if (system && event.type === 'BootOverrideConsumed')
      await this.setBootOrder(system, { ...(event.data as BootOverride), enabled: 'Disabled' });
    if (system && event.type === 'VirtualMediaInsertRequested')
      await this.insertMedia(system, event as RecordedEvent<VirtualMediaInsertRequested['data']>);
    if (system && event.type === 'VirtualMediaEjectRequested') await this.ejectMedia(system, event);
    if (system && (event.type === 'BiosSettingsApplied' || event.type === 'BiosReset'))
      await this.keepBiosInDomain(system, event.streamId);
    if (system && event.type === 'BootModeChanged')
      await this.setFirmware(system, (event.data as BootModeChanged['data']).mode);
    this.store.saveCheckpoint(SYSTEM_RECONCILER, event.position);
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

  /** The BIOS settings in effect travel with the domain, in its metadata. */
  private async keepBiosInDomain(system: LabSystem, streamId: string): Promise<void> {
    try {
      const { state } = loadState(this.store, streamId, systemDecider);
      const client = await this.connections.get(system.libvirtUri);
      await this.locks.exclusive(system, async () => {
        const domain = await client.domainLookupByName(system.domainName);
        const xml = await client.domainGetXml(domain, DomainXmlFlag.Inactive);
        await client.domainDefineXml(withSettings(xml, { ...readDomainXml(xml).settings, biosAttributes: state.bios }));
      });
    } catch (err) {
      this.log(`BIOS settings of ${system.id}: ${(err as Error).message}`);
    }
  }

  /** The firmware the next boot uses, in the persistent definition; a running machine keeps its own until then. */
  private async setFirmware(system: LabSystem, mode: BootMode): Promise<void> {
    try {
      const client = await this.connections.get(system.libvirtUri);
      await this.locks.exclusive(system, async () => {
        const domain = await client.domainLookupByName(system.domainName);
        const xml = await client.domainGetXml(domain, DomainXmlFlag.Inactive);
        await client.domainDefineXml(withFirmware(xml, mode === 'UEFI' ? 'UEFI' : 'BIOS'));
      });
    } catch (err) {
      this.log(`boot mode of ${system.id}: ${(err as Error).message}`);
    }
  }

  /**
   * Rewrites the persistent definition; a running domain keeps the order it booted with. UefiHttp
   * with an HttpBootUri fetches the image and boots its own drive first; any other override
   * removes that drive.
   */
  private async setBootOrder(system: LabSystem, override: BootOverride): Promise<void> {
    try {
      const client = await this.connections.get(system.libvirtUri);
      const domain = await client.domainLookupByName(system.domainName);
      const uri = override.enabled !== 'Disabled' && override.target === 'UefiHttp' ? override.httpBootUri : undefined;
      if (uri !== undefined && system.virtualMedia === 'record') {
        await this.locks.exclusive(system, () => setHttpBootImage(client, domain, uri));
        return;
      }
      if (uri !== undefined && this.media.dir) {
        const file = httpBootFile(this.media.dir, system.id);
        const { state } = loadState(this.store, systemStream(system.id), systemDecider);
        const labCa = this.media.caFile ? [await readFile(this.media.caFile, 'utf8')] : [];
        await downloadImage(uri, file, { verify: state.registration?.mediaVerifyCertificate ?? false, ca: labCa });
        await this.locks.exclusive(system, () => setHttpBootImage(client, domain, file));
        return;
      }
      await this.locks.exclusive(system, async () => {
        await setHttpBootImage(client, domain, undefined);
        const xml = await client.domainGetXml(domain, DomainXmlFlag.Inactive);
        await client.domainDefineXml(withBootOrder(xml, bootOrderFor(override)));
      });
      if (this.media.dir) await rm(httpBootFile(this.media.dir, system.id), { force: true });
    } catch (err) {
      this.log(`boot order of ${system.id}: ${(err as Error).message}`);
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
    await this.follower?.close();
  }
}
