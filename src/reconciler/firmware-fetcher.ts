import { readFileSync } from 'node:fs';
import type { EventStore } from '../eventstore/event-store.js';
import type { RecordedEvent } from '../eventstore/event.js';
import { executeCommand, loadState } from '../eventstore/execute-command.js';
import { followLog, type LogFollower } from '../eventstore/follow-log.js';
import { systemDecider, type SystemCommand } from '../domain/system/system-decider.js';
import type { FirmwareUpdateRequested } from '../domain/firmware/firmware-events.js';
import { versionOfImage } from '../domain/firmware/image-version.js';
import { fetchImage, ImageFetchError } from './firmware-image.js';
import { FIRMWARE_FETCHER } from './reconciler-checkpoints.js';
import { LogCheckpoint } from './log-checkpoint.js';
import type { LoopHealth } from '../health/loop-health.js';

export interface ImageCredentials {
  readonly username?: string;
  readonly password?: string;
}

/**
 * Fetches the image of each accepted SimpleUpdate, in log order from a checkpoint, and records
 * what came of it: staged with its version, or failed with the reason. A request accepted just
 * before the emulator stopped is fetched when it starts again.
 *
 * Credentials are never recorded: the request hands them over here, in memory, for its fetch. A
 * fetch resumed after a restart has none, and the server's refusal says so in the task.
 */
export class FirmwareFetcher {
  private follower: LogFollower | undefined;
  private checkpoint: LogCheckpoint | undefined;
  private readonly credentials = new Map<string, ImageCredentials>();
  private readonly ca: string | undefined;
  /** Stops a fetch under way when the emulator stops: it is fetched again at the next start. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly store: EventStore,
    options: { readonly caFile?: string },
    private readonly log: (line: string) => void,
    private readonly health: LoopHealth,
  ) {
    try {
      this.ca = options.caFile === undefined ? undefined : readFileSync(options.caFile, 'utf8');
    } catch (err) {
      throw new Error(`updateService.caFile: cannot read ${options.caFile}: ${(err as Error).message}`);
    }
  }

  /** Keeps a request's credentials for its fetch (before the request is recorded: the fetch may start at once). */
  holdCredentials(taskId: string, credentials: ImageCredentials): void {
    if (credentials.username !== undefined || credentials.password !== undefined)
      this.credentials.set(taskId, credentials);
  }

  dropCredentials(taskId: string): void {
    this.credentials.delete(taskId);
  }

  start(): void {
    const checkpoint = new LogCheckpoint(this.store, FIRMWARE_FETCHER);
    this.checkpoint = checkpoint;
    this.follower = followLog(this.store, {
      name: 'firmware fetcher',
      afterPosition: checkpoint.position,
      handler: (event) => this.handle(event, checkpoint),
      health: this.health,
      // A fetch's failure holds back that system's update; a checkpoint's is the service's.
      resourceOf: (event) => (event.type === 'FirmwareUpdateRequested' ? event.streamId : undefined),
    });
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await this.follower?.close();
    this.checkpoint?.stop();
  }

  private async handle(event: RecordedEvent, checkpoint: LogCheckpoint): Promise<void> {
    if (event.type !== 'FirmwareUpdateRequested') return checkpoint.passed(event.position);
    await this.fetch(event as RecordedEvent<FirmwareUpdateRequested['data']>);
    checkpoint.acted(event.position);
  }

  private async fetch(event: RecordedEvent<FirmwareUpdateRequested['data']>): Promise<void> {
    const { taskId, imageUri } = event.data;
    // Fetched already (the outcome recorded, the checkpoint not yet saved when the process stopped).
    const open = loadState(this.store, event.streamId, systemDecider).state.firmware.updates.find(
      (u) => u.taskId === taskId,
    );
    if (!open || open.staged) return;
    const credentials = this.credentials.get(taskId) ?? {};
    let command: SystemCommand;
    try {
      const { sha256, sizeBytes } = await fetchImage(imageUri, {
        ...credentials,
        ...(this.ca !== undefined && { ca: this.ca }),
        signal: this.stopping.signal,
      });
      command = { type: 'RecordFirmwareImage', taskId, version: versionOfImage(imageUri, sha256), sha256, sizeBytes };
    } catch (err) {
      // Cut short by the stop, not failed: nothing is recorded and the checkpoint stays before it.
      if (this.stopping.signal.aborted) throw err;
      const failure = err instanceof ImageFetchError ? err.reason : 'Transfer';
      this.log(`firmware update ${taskId}: ${(err as Error).message}`);
      command = { type: 'RecordFirmwareImage', taskId, failure, message: (err as Error).message };
    }
    this.credentials.delete(taskId);
    executeCommand(this.store, event.streamId, systemDecider, command, {
      actor: 'update-service',
      causationId: event.position,
      ...(event.meta.requestId && { requestId: event.meta.requestId }),
    });
  }
}
