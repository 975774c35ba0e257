import type { FastifyRequest } from 'fastify';
import type { EventStore } from '../eventstore/event-store.js';
import type { EventMeta } from '../eventstore/event.js';
import {
  REFUSALS_STREAM,
  type RequestRefused,
  type RequestRefusalsDropped,
} from '../domain/refusals/refusal-events.js';
import { RefusalWindow, type DroppedSummary, type RefusalLimits } from '../domain/refusals/refusal-window.js';
import { basicCredentials } from './auth/auth-plugin.js';
import type { RedfishHttpError } from './redfish-error.js';
import { recordedBody } from './refusal-body.js';
import { resourcePath } from './server.js';

const MUTATING = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
const LOGIN = /^\/redfish\/v1\/SessionService\/Sessions(\/Members)?$/;

/** Whether a request answered with `status` is a refusal the log keeps: a mutation refused with a 4xx. */
export const isRecordedRefusal = (method: string, status: number): boolean =>
  MUTATING.has(method) && status >= 400 && status < 500;

/** The user name a refused login tried: HTTP Basic's, or the UserName of a session login. */
function triedUserName(request: FastifyRequest, path: string): string | undefined {
  const basic = basicCredentials(request.headers.authorization);
  if (basic) return basic.user;
  const body = request.body as Record<string, unknown> | undefined;
  return LOGIN.test(path) && typeof body?.['UserName'] === 'string' ? body['UserName'] : undefined;
}

/** The event that records one refused request (pure apart from reading the request). */
export function refusalOf(
  request: FastifyRequest,
  error: RedfishHttpError,
  bodyLimitBytes: number,
): { data: RequestRefused['data']; meta: EventMeta } {
  const path = resourcePath(request.url);
  const userName = error.status === 401 ? triedUserName(request, path) : undefined;
  const command = request.refusedCommand;
  return {
    data: {
      status: error.status,
      messageIds: error.messages.map((m) => m.MessageId),
      method: request.method,
      path,
      clientAddress: request.ip,
      ...(userName !== undefined && { userName }),
      ...recordedBody(request.body, { limitBytes: bodyLimitBytes, isLogin: LOGIN.test(path) }),
      ...(command && { commandStream: command.streamId }),
    },
    meta: { actor: request.actor ?? 'anonymous', requestId: request.id, ...(command && { command: command.command }) },
  };
}

/**
 * Records the mutating requests the service refuses with a 4xx as RequestRefused events, within
 * the limits of a RefusalWindow: past them a refusal is counted, and the window's count is
 * recorded as one RequestRefusalsDropped when it ends (by a timer, or at close). 5xx answers are
 * left to the request log: the store may be what failed. Recording never changes the answer: an
 * append that fails is a warning.
 */
export class RefusalRecorder {
  private readonly window: RefusalWindow;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly limits: RefusalLimits,
    private readonly warn: (message: string) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.window = new RefusalWindow(limits);
  }

  record(request: FastifyRequest, error: RedfishHttpError): void {
    if (!isRecordedRefusal(request.method, error.status)) return;
    const { data, meta } = refusalOf(request, error, this.limits.bodyLimitBytes);
    const who = data.userName !== undefined ? `anonymous(${data.userName})` : (meta.actor ?? 'anonymous');
    const { record, closed } = this.window.admit({ who, method: data.method, path: data.path }, this.now());
    if (closed) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.writeSummary(closed);
    }
    if (record) this.append({ type: 'RequestRefused', data, subject: data.path }, meta);
    else
      this.timer ??= setTimeout(
        () => this.endWindow(),
        Math.max(0, (this.window.endsAtMs ?? this.now()) - this.now()),
      ).unref();
  }

  /** Ends the open window now, recording what it dropped (at shutdown). */
  close(): void {
    this.endWindow();
  }

  private endWindow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const summary = this.window.close(this.now());
    if (summary) this.writeSummary(summary);
  }

  private writeSummary(summary: DroppedSummary): void {
    const event: RequestRefusalsDropped = { type: 'RequestRefusalsDropped', data: summary };
    this.append(event, { actor: 'emulator' });
  }

  private append(event: { type: string; data: unknown; subject?: string }, meta: EventMeta): void {
    try {
      this.store.append({ streamId: REFUSALS_STREAM, expectedVersion: 'any', events: [event], meta });
    } catch (err) {
      this.warn(`a refused request could not be recorded: ${(err as Error).message}`);
    }
  }
}
