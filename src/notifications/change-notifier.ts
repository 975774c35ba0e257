import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { NotificationsConfig } from '../config/config.js';
import type { RecordedEvent } from '../eventstore/event.js';
import type { EventStore } from '../eventstore/event-store.js';
import { followLog, type LogFollower } from '../eventstore/follow-log.js';
import type { LoopHealth } from '../health/loop-health.js';
import { systemIdOfStream } from '../domain/stream-ids.js';
import type { SystemState } from '../domain/system/system-decider.js';
import { sendRequest, type OutboundTls } from '../send-request.js';
import {
  evolveNotified,
  INITIAL_NOTIFIED,
  sushySystemOf,
  type NotifiedState,
  type SushySystem,
} from './sushy-system.js';
import { NOTIFICATIONS_STREAM, type NotificationEvent } from './notification-events.js';
import { isSimulatedUri } from '../libvirt/simulated-hypervisor.js';

/** The name the notifier keeps its place in the log under (EventStore.checkpoint). */
export const CHANGE_NOTIFIER = 'change-notifier';

/** Its name on /healthz and in the log lines. */
const LOOP = 'change notifications';
/** The longest wait between two attempts. */
const MAX_BACKOFF_MS = 60_000;
/** Events passed over (not a change to send) between two checkpoint writes. */
const SKIPPED_PER_CHECKPOINT = 200;

/**
 * Called before the service takes requests: notifications are of the changes made while they
 * are configured. On a first start with them, they start at the end of the log (its past is
 * not sent); without them, the place is dropped, so turning them on again later does not send
 * what changed in between.
 */
export function claimNotifierCheckpoint(store: EventStore, configured: boolean): void {
  if (!configured) store.forgetCheckpoint(CHANGE_NOTIFIER);
  else if (store.checkpoint(CHANGE_NOTIFIER) === undefined) store.saveCheckpoint(CHANGE_NOTIFIER, store.lastPosition());
}

/** Whether the configuration asks for this system's changes. */
function isNotified(filter: NotificationsConfig['systems'], systemId: string, system: SystemState): boolean {
  if (filter === undefined || filter === 'all') return true;
  if (filter === 'simulated') return isSimulatedUri(system.registration?.libvirtUri ?? '');
  return filter.includes(systemId);
}

/** The notifier's TLS, its files read once at start (a file that cannot be read fails the start). */
export function notificationTls(config: NotificationsConfig): OutboundTls {
  const read = (file: string | undefined) => (file === undefined ? undefined : readFileSync(file, 'utf8'));
  const ca = read(config.caFile);
  const cert = read(config.certFile);
  const key = read(config.keyFile);
  return {
    verifyCertificate: config.verifyCertificate ?? ca !== undefined,
    ...(ca !== undefined && { ca: [ca] }),
    ...(cert !== undefined && { cert }),
    ...(key !== undefined && { key }),
  };
}

class StopNotifying extends Error {}

/**
 * Change notifications, as sushy-tools' fake systems driver sends them: follows the log from its
 * checkpoint and, for each event after which a system's sushy-tools document (sushy-system.ts)
 * differs from before, PUTs that document to the configured URL, in log order, one at a time.
 * A failed attempt is retried after a wait that doubles each time (up to a minute), until the
 * receiver takes it or the attempts run out; every attempt's outcome is an event, with the
 * system as subject. The place in the log is the last change settled (delivered or given up),
 * read back from those events, so a restart sends each change once: none is lost, none is sent
 * twice, except one whose PUT the receiver took just as the emulator was killed.
 */
export class ChangeNotifier {
  /** Stops the loop between events and any wait between two attempts. */
  private readonly abort = new AbortController();
  /** Each system's state after the last of its events handled, by stream. */
  private readonly states = new Map<string, { version: number; state: NotifiedState }>();
  private follower?: LogFollower;
  private saved = 0;

  constructor(
    private readonly store: EventStore,
    private readonly config: NotificationsConfig,
    private readonly tls: OutboundTls,
    private readonly health: LoopHealth,
    private readonly warn: (line: string) => void = () => undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  start(): void {
    const from = Math.max(this.store.checkpoint(CHANGE_NOTIFIER) ?? this.store.lastPosition(), this.lastSettled());
    this.saved = from;
    this.follower = followLog(this.store, {
      name: LOOP,
      afterPosition: from,
      handler: (event) => this.handle(event),
      health: this.health,
      stopsOn: (err) => err instanceof StopNotifying,
    });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.follower?.close();
  }

  /** The last change delivered or given up, as the notification events tell it (0 when none). */
  private lastSettled(): number {
    const version = this.store.streamVersion(NOTIFICATIONS_STREAM);
    const last = this.store.readStream(NOTIFICATIONS_STREAM, version - 1)[0] as NotificationEvent | undefined;
    if (!last) return 0;
    // Changes are sent one at a time: everything before the one still being tried is settled.
    return last.type === 'NotificationAttemptFailed' ? last.data.changePosition - 1 : last.data.changePosition;
  }

  /** Attempts already made for the change at `position` (by a run the emulator stopped in the middle of). */
  private attemptsMade(position: number): number {
    const version = this.store.streamVersion(NOTIFICATIONS_STREAM);
    const last = this.store.readStream(NOTIFICATIONS_STREAM, version - 1)[0] as NotificationEvent | undefined;
    return last?.type === 'NotificationAttemptFailed' && last.data.changePosition === position ? last.data.attempt : 0;
  }

  /** The system's state just before `event`, folded from its stream (once, then kept). */
  private stateBefore(event: RecordedEvent): NotifiedState {
    const known = this.states.get(event.streamId);
    // The usual case: the stream's previous event was the last one handled.
    if (known?.version === event.streamVersion - 1) return known.state;
    const from = known && known.version < event.streamVersion ? known : { version: 0, state: INITIAL_NOTIFIED };
    return this.store
      .readStream(event.streamId, from.version)
      .filter((e) => e.streamVersion < event.streamVersion)
      .reduce(evolveNotified, from.state);
  }

  private async handle(event: RecordedEvent): Promise<void> {
    if (this.abort.signal.aborted) throw new StopNotifying();
    const systemId = systemIdOfStream(event.streamId);
    if (systemId === undefined) return this.passed(event.position);
    const before = this.stateBefore(event);
    const after = evolveNotified(before, event);
    const sent = sushySystemOf(after);
    if (
      sent !== undefined &&
      isNotified(this.config.systems, systemId, after.system) &&
      JSON.stringify(sent) !== JSON.stringify(sushySystemOf(before))
    ) {
      await this.deliver(event, sent);
      this.saveCheckpoint(event.position);
    } else this.passed(event.position);
    this.states.set(event.streamId, { version: event.streamVersion, state: after });
  }

  private passed(position: number): void {
    if (position - this.saved >= SKIPPED_PER_CHECKPOINT) this.saveCheckpoint(position);
  }

  /** PUTs the system until the receiver takes it or the attempts run out, recording each outcome. */
  private async deliver(change: RecordedEvent, system: SushySystem): Promise<void> {
    const { url } = this.config;
    const attempts = this.config.attempts ?? 10;
    const body = JSON.stringify(system);
    for (let attempt = this.attemptsMade(change.position) + 1; ; attempt++) {
      const of = { url, changePosition: change.position, attempt };
      try {
        const status = await sendRequest(url, body, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          timeoutMs: this.timeoutMs,
          tls: this.tls,
          signal: this.abort.signal,
        });
        this.record(change, { type: 'NotificationDelivered', data: { ...of, status, system } });
        this.health.succeeded(LOOP);
        return;
      } catch (err) {
        // Cut short by a stop: not an outcome; the next start tries again.
        if (this.abort.signal.aborted) throw new StopNotifying();
        const message = (err as Error).message;
        this.health.failed(LOOP, err);
        if (attempt >= attempts) {
          this.warn(
            `change notification of ${change.streamId} (event ${change.position}) given up after ${attempt} attempts: ${message}`,
          );
          this.record(change, { type: 'NotificationAbandoned', data: { ...of, message } });
          return;
        }
        const waitMs = Math.min(MAX_BACKOFF_MS, (this.config.retryIntervalSeconds ?? 1) * 1000 * 2 ** (attempt - 1));
        this.record(change, {
          type: 'NotificationAttemptFailed',
          data: { ...of, message, retryInSeconds: waitMs / 1000 },
        });
        await this.sleep(waitMs);
      }
    }
  }

  /** An attempt's outcome, filed under the system and tied to the change (and its request). */
  private record(change: RecordedEvent, event: NotificationEvent): void {
    this.store.append({
      streamId: NOTIFICATIONS_STREAM,
      expectedVersion: 'any',
      events: [{ ...event, subject: change.streamId }],
      meta: {
        actor: 'change-notifier',
        causationId: change.position,
        ...(change.meta.requestId !== undefined && { requestId: change.meta.requestId }),
      },
    });
  }

  /** Waits between two attempts; a stop ends the wait. */
  private async sleep(ms: number): Promise<void> {
    try {
      await delay(ms, undefined, { signal: this.abort.signal });
    } catch {
      throw new StopNotifying();
    }
  }

  private saveCheckpoint(position: number): void {
    if (position <= this.saved || !this.store.db.open) return;
    this.store.saveCheckpoint(CHANGE_NOTIFIER, position);
    this.saved = position;
  }
}
