import type { EventStore } from '../eventstore/event-store.js';
import { indexBy } from './list-index.js';
import type { RecordedEvent } from '../eventstore/event.js';
import { executeCommand, loadState } from '../eventstore/execute-command.js';
import { followLog, type LogFollower } from '../eventstore/follow-log.js';
import {
  storageDecider,
  type OpenOperation,
  type StorageCommand,
  type StorageState,
  type VolumeRecord,
} from '../domain/storage/storage-decider.js';
import {
  storageStream,
  type PendingOperationsStarted,
  type VolumeCreateRequested,
} from '../domain/storage/storage-events.js';
import { systemStream } from '../domain/system/system-events.js';
import type { LibvirtConnections } from '../libvirt/connections.js';
import type { Hypervisor } from '../libvirt/hypervisor.js';
import type { PoolHandle } from '../libvirt/structs.js';
import type { LabSystem } from '../lab/lab-systems.js';
import { missing } from '../libvirt/errors.js';
import { STORAGE_RECONCILER } from './reconciler-checkpoints.js';
import { LogCheckpoint } from './log-checkpoint.js';
import type { LoopHealth } from '../health/loop-health.js';
import type { DomainLocks } from './domain-locks.js';
import { resourceOfStream } from '../health/loop-status.js';
import {
  attachDisk,
  detachDisk,
  detachDiskNamed,
  ensureBackingVolume,
  findVolume,
  removeBackingVolume,
} from './volume-actions.js';
import { backingVolumeOwner } from '../domain/storage/backing-volume-name.js';
import { storeTag } from '../service-identity.js';

const REQUESTS = ['VolumeCreateRequested', 'VolumeDeleteRequested', 'VolumeInitializeRequested'];

/**
 * Whether this store's log ever asked for volume `volumeId` of the storage under a name without
 * a store tag (`legacy`) or with its own: volume ids are given out in order (1, 2, …), the first
 * `legacyNamedVolumes` of them before names carried the store. Only such backing volumes are
 * this store's to sweep: one named alike that it never asked for was made by another store on
 * the same pool, or by the store an older lab ran on, and is not ours.
 */
function madeByThisStore(state: StorageState, named: { tag: string; volumeId: string }): boolean {
  return Number(named.volumeId) <= (named.tag === 'legacy' ? state.legacyNamedVolumes : state.volumesEverRequested);
}

export interface StorageReconcilerOptions {
  /** The libvirt pool backing volumes live in (config libvirt.pool). */
  readonly poolName: string | undefined;
  /** How often libvirt is compared with the volumes (drift, orphans). */
  readonly driftCheckMs: number;
  /** How long a degraded volume takes to rebuild onto a replacement drive. */
  readonly rebuildSeconds: number;
  readonly rebuildTickMs: number;
}

interface StorageStream {
  readonly system: LabSystem;
  readonly stream: string;
}

/**
 * Carries out volume requests on libvirt, in log order: a create makes a sparse qcow2 volume in
 * the lab pool and attaches it to the system's domain (hot-plugged when it runs) with the
 * volume's durable name as serial; a delete detaches and deletes it; an initialize recreates it
 * empty. Immediate requests run at once, OnReset ones when the system boots. Every outcome is
 * recorded, so the request's Task ends. Its place in the log is a checkpoint and every step
 * checks before it acts, so a crash at any point is finished on the next start, exactly once.
 *
 * It also watches for drift (a backing volume deleted behind its back, the pool gone),
 * deletes the backing volumes it made that no Volume owns any more, and advances rebuilds of
 * degraded volumes.
 */
export class StorageReconciler {
  private follower: LogFollower | undefined;
  private checkpoint: LogCheckpoint | undefined;
  private timers: NodeJS.Timeout[] = [];
  /** One thing at a time: requests, drift checks and rebuild ticks never interleave. */
  private queue: Promise<void> = Promise.resolve();
  private readonly said = new Set<string>();

  constructor(
    private readonly store: EventStore,
    private readonly connections: LibvirtConnections,
    private readonly systems: readonly LabSystem[],
    private readonly log: (line: string) => void,
    private readonly health: LoopHealth,
    /** Shared with the system reconciler: one change at a time to a domain's definition. */
    private readonly locks: DomainLocks,
    private readonly options: StorageReconcilerOptions,
  ) {}

  /**
   * The storage streams of the lab's systems, listed once and looked up by stream and by their
   * system's stream: every event of the log is looked up in them, which with a thousand systems
   * made listing them again for each one the loop's main cost.
   */
  private get storageStreams(): readonly StorageStream[] {
    this.streams ??= this.systems.flatMap((system) =>
      (system.config.storage ?? []).map((storage) => ({ system, stream: storageStream(system.id, storage.id) })),
    );
    return this.streams;
  }
  private streams: readonly StorageStream[] | undefined;
  /**
   * The storage streams that may have a volume rebuilding: every one at first, then those found
   * rebuilding and those with an event since. A tick reads only these, not ten thousand states a second.
   */
  private mayRebuild: Set<string> | undefined;
  private readonly byStream = indexBy(
    () => this.storageStreams,
    (s) => s.stream,
  );
  private readonly bySystemStream = indexBy(
    () => this.storageStreams,
    (s) => systemStream(s.system.id),
  );

  start(): void {
    // Claimed when the service started (claimReconcilerCheckpoints): nothing accepted since is skipped.
    const checkpoint = new LogCheckpoint(this.store, STORAGE_RECONCILER);
    this.checkpoint = checkpoint;
    this.follower = followLog(this.store, {
      name: 'storage reconciler',
      afterPosition: checkpoint.position,
      handler: (event) => this.serially(() => this.handle(event, checkpoint)),
      health: this.health,
      resourceOf: (event) => resourceOfStream(event.streamId),
    });
    // A timer's failed round is reported and tried again at the next tick; a request's is the follower's to retry.
    const everyTick = (name: string, work: () => Promise<void>, ms: number) =>
      this.timers.push(
        setInterval(() => void this.serially(() => this.health.round(name, work)).catch(() => undefined), ms),
      );
    everyTick('storage drift check', () => this.checkDrift(), this.options.driftCheckMs);
    everyTick('volume rebuild', async () => this.advanceRebuilds(), this.options.rebuildTickMs);
  }

  /** Runs `work` after everything queued before it, whatever became of that; its own failure is the caller's. */
  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async handle(event: RecordedEvent, checkpoint: LogCheckpoint): Promise<void> {
    const storage = this.byStream(event.streamId)[0];
    if (storage) this.mayRebuild?.add(event.streamId);
    let acted = false;
    if (
      storage &&
      REQUESTS.includes(event.type) &&
      (event.data as VolumeCreateRequested['data']).applyTime === 'Immediate'
    ) {
      await this.carryOut(storage.system, event.streamId, (event.data as VolumeCreateRequested['data']).taskId, event);
      acted = true;
    }
    if (storage && event.type === 'PendingOperationsStarted') {
      for (const taskId of (event.data as PendingOperationsStarted['data']).taskIds)
        await this.carryOut(storage.system, event.streamId, taskId, event);
      acted = true;
    }
    if (event.type === 'SystemBooted') {
      for (const { stream } of this.bySystemStream(event.streamId)) {
        this.record(stream, event, { type: 'StartPendingOperations' });
        acted = true;
      }
    }
    if (acted) checkpoint.acted(event.position);
    else checkpoint.passed(event.position);
  }

  private record(stream: string, cause: RecordedEvent | undefined, command: StorageCommand): void {
    executeCommand(this.store, stream, storageDecider, command, {
      actor: 'reconciler',
      ...(cause && { causationId: cause.position, ...(cause.meta.requestId && { requestId: cause.meta.requestId }) }),
    });
  }

  /** Does one task's work unless its outcome is recorded already, then records the outcome. */
  private async carryOut(system: LabSystem, stream: string, taskId: string, cause: RecordedEvent): Promise<void> {
    const { state } = loadState(this.store, stream, storageDecider);
    const operation = state.operations.find((op) => op.taskId === taskId);
    const volume = operation && state.volumes[operation.volumeId];
    if (!operation || !volume || operation.state !== 'Running') return;
    let message: string | undefined;
    try {
      await this.locks.exclusive(system, () => this.apply(system, state, operation, volume));
    } catch (err) {
      message = (err as Error).message;
      this.log(`${operation.kind} of volume ${volume.volumeId} on ${stream}: ${message}`);
    }
    this.record(stream, cause, { type: 'RecordOperationOutcome', taskId, ...(message !== undefined && { message }) });
  }

  private async apply(
    system: LabSystem,
    state: StorageState,
    operation: OpenOperation,
    volume: VolumeRecord,
  ): Promise<void> {
    const client = await this.connections.get(system.libvirtUri);
    const pool = await this.pool(client);
    const name = volume.backingVolume;
    const domain = await client.domainLookupByName(system.domainName);
    // One SCSI controller per emulated storage controller, by its place in the system's config.
    const controller = (system.config.storage ?? []).findIndex((s) => s.id === state.registration!.storageId);
    const backing = { name, capacityBytes: volume.capacityBytes, serial: volume.durableName };
    switch (operation.kind) {
      case 'create': {
        const path = await ensureBackingVolume(client, pool, domain, backing);
        try {
          await attachDisk(client, domain, path, volume.durableName, controller);
        } catch (err) {
          // A volume that could not be attached is not left behind; a file still attached is kept for the sweep, which detaches it first.
          await detachDisk(client, domain, path)
            .then(() => removeBackingVolume(client, pool, name))
            .catch(() => undefined);
          throw err;
        }
        return;
      }
      case 'delete': {
        const handle = await findVolume(client, pool, name);
        // Without its file (gone behind the emulator's back) the disk may still be in the domain.
        if (handle) await detachDisk(client, domain, await client.volumeGetPath(handle));
        else await detachDiskNamed(client, domain, name);
        await removeBackingVolume(client, pool, name);
        return;
      }
      case 'initialize': {
        // A fresh sparse file at the same path: every block reads as zeros again.
        await removeBackingVolume(client, pool, name);
        const path = await ensureBackingVolume(client, pool, domain, backing);
        await attachDisk(client, domain, path, volume.durableName, controller);
        return;
      }
    }
  }

  private async pool(client: Hypervisor): Promise<PoolHandle> {
    if (!this.options.poolName) throw new Error('no libvirt.pool is configured to keep volumes in');
    const pool = await missing(client.poolLookupByName(this.options.poolName), (e) => e.isNoStoragePool);
    if (!pool) throw new Error(`storage pool ${this.options.poolName} is not in libvirt`);
    return pool;
  }

  /**
   * Compares libvirt with the volumes: a created volume whose backing volume is gone is
   * recorded as lost (and as restored when it is back); a backing volume this store made that no
   * Volume owns (left by a create that failed half-way) is deleted, and one it did not make is
   * left alone (see madeByThisStore). Nothing is recorded when libvirt cannot be
   * asked: an unreachable daemon is not drift.
   */
  async checkDrift(): Promise<void> {
    // The pool and its volumes are looked up once a round on each host, not once per storage:
    // ten thousand simulated systems share one. Nothing else changes them during the round.
    const pools = new Map<Hypervisor, Promise<{ pool: PoolHandle | undefined; present: Set<string> }>>();
    const poolOf = (client: Hypervisor) => {
      let found = pools.get(client);
      if (!found) pools.set(client, (found = this.poolVolumes(client)));
      return found;
    };
    for (const { system, stream } of this.storageStreams) {
      const { state } = loadState(this.store, stream, storageDecider);
      if (!state.registration) continue;
      let client: Hypervisor;
      try {
        client = await this.connections.get(system.libvirtUri);
      } catch {
        continue;
      }
      const { pool, present } = await poolOf(client);
      const storageId = state.registration.storageId;
      for (const volume of Object.values(state.volumes)) {
        if (!volume.created) continue;
        const name = volume.backingVolume;
        const reason = !pool
          ? `storage pool ${this.options.poolName ?? '(none configured)'} is not in libvirt`
          : present.has(name)
            ? undefined
            : `libvirt volume ${name} is gone`;
        this.record(stream, undefined, {
          type: 'ObserveBacking',
          volumeId: volume.volumeId,
          ...(reason !== undefined && { missing: reason }),
        });
      }
      if (!pool) continue;
      const owned = new Set(Object.values(state.volumes).map((v) => v.backingVolume));
      const tag = storeTag(this.store);
      for (const name of present) {
        const named = backingVolumeOwner(name, system.id, storageId);
        if (!named || owned.has(name)) continue;
        if (named.tag !== 'legacy' && named.tag !== tag) {
          this.logOnce(
            `leaving ${name} alone: a volume of ${stream} made by another store on this pool (store ${named.tag}; this one is ${tag})`,
          );
          continue;
        }
        if (!madeByThisStore(state, named)) {
          this.logOnce(
            `leaving ${name} alone: named like a volume of ${stream}, but this store never asked for volume ${named.volumeId} (another store's, or an older lab's)`,
          );
          continue;
        }
        this.log(`deleting ${name}: no volume of ${stream} owns it`);
        const handle = await findVolume(client, pool, name);
        const domain = await missing(client.domainLookupByName(system.domainName), (e) => e.isNoDomain);
        await this.locks.exclusive(system, async () => {
          if (handle && domain) await detachDisk(client, domain, await client.volumeGetPath(handle));
          await removeBackingVolume(client, pool, name);
        });
        present.delete(name);
      }
    }
  }

  /** The lab pool on a host, if it is there, and the names of its volumes. */
  private async poolVolumes(client: Hypervisor): Promise<{ pool: PoolHandle | undefined; present: Set<string> }> {
    const pool = this.options.poolName
      ? await missing(client.poolLookupByName(this.options.poolName), (e) => e.isNoStoragePool)
      : undefined;
    const present = pool
      ? new Set(await Promise.all((await client.poolListVolumes(pool)).map((v) => v.name)))
      : new Set<string>();
    return { pool, present };
  }

  /** Says `line` the first time only: the sweep runs every few seconds and finds the same volumes again. */
  private logOnce(line: string): void {
    if (this.said.has(line)) return;
    this.said.add(line);
    this.log(line);
  }

  /** Moves every rebuilding volume on by one tick's share of the rebuild time. */
  advanceRebuilds(): void {
    const step = (100 * this.options.rebuildTickMs) / (this.options.rebuildSeconds * 1000);
    this.mayRebuild ??= new Set(this.storageStreams.map(({ stream }) => stream));
    for (const stream of this.mayRebuild) {
      const { state } = loadState(this.store, stream, storageDecider);
      const rebuilding = Object.values(state.volumes).filter((volume) => volume.rebuilding.length > 0);
      if (rebuilding.length === 0) this.mayRebuild.delete(stream);
      for (const volume of rebuilding) {
        this.record(stream, undefined, {
          type: 'RecordRebuildProgress',
          volumeId: volume.volumeId,
          percent: Math.min(100, volume.rebuildPercent + Math.max(1, step)),
        });
      }
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.follower?.close();
    await this.queue;
    this.checkpoint?.stop();
  }
}
