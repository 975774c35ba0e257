import { randomBytes } from 'node:crypto';
import type { EventStore } from '../eventstore/event-store.js';
import { executeClientCommand, type CommandOutcome } from '../eventstore/execute-command.js';
import { storageDecider } from '../domain/storage/storage-decider.js';
import { storageStream, type StorageEvent } from '../domain/storage/storage-events.js';
import { problem } from '../domain/problem.js';

export const DRIVE_FAULTS = ['fail', 'replace'] as const;
export type DriveFault = (typeof DRIVE_FAULTS)[number];

export interface DriveFaultRequest {
  readonly systemId: string;
  readonly storageId: string;
  readonly driveId: string;
  readonly fault: DriveFault;
  /** The replacement drive's serial; a new one is made up when not given. */
  readonly serialNumber?: string;
  /** Who injected it, for the history: 'user:…' over HTTP, 'cli' from the command line. */
  readonly actor: string;
  readonly requestId?: string;
}

/**
 * Fault injection, the same from the admin API and the CLI: fail a drive (volumes that tolerate
 * the loss turn Degraded, the others Failed), or put a new drive in its bay (degraded volumes
 * rebuild onto it). Recorded as events, so a replay fails and replaces the same drives.
 */
export function injectDriveFault(store: EventStore, request: DriveFaultRequest): CommandOutcome<StorageEvent> {
  const stream = storageStream(request.systemId, request.storageId);
  if (store.streamVersion(stream) === 0)
    return {
      ok: false,
      problem: problem(404, 'ResourceNotFound', ['Storage', `${request.systemId}/${request.storageId}`]),
    };
  const command =
    request.fault === 'fail'
      ? ({ type: 'FailDrive', driveId: request.driveId } as const)
      : ({
          type: 'ReplaceDrive',
          driveId: request.driveId,
          serialNumber: request.serialNumber ?? `EMU-R-${randomBytes(4).toString('hex').toUpperCase()}`,
        } as const);
  return executeClientCommand(store, stream, storageDecider, command, {
    actor: request.actor,
    ...(request.requestId && { requestId: request.requestId }),
  });
}
