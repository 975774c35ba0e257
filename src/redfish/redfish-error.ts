import type { RedfishProblem } from '../domain/problem.js';
import { baseMessage, type RedfishMessage } from '../registries/base-registry.js';

/** What `code` and `message` say above several messages, as DSP0266's example does. */
const SEVERAL = baseMessage('GeneralError');

/**
 * The DMTF error body. One message gives `code` and `message` itself; several (e.g. every bad
 * property of one PATCH) sit under GeneralError, whose text points the reader to ExtendedInfo.
 */
export function errorBody(messages: readonly RedfishMessage[]): object {
  const first = messages[0];
  if (!first) throw new Error('an error body needs at least one message');
  const summary = messages.length === 1 ? first : SEVERAL;
  return {
    error: {
      code: summary.MessageId,
      message: summary.Message,
      '@Message.ExtendedInfo': messages,
    },
  };
}

/** A decider's problem as the message of an error body, with its own Resolution when it has one. */
export function problemMessage(problem: RedfishProblem): RedfishMessage {
  const message = baseMessage(problem.messageId, problem.messageArgs, problem.relatedProperties);
  return problem.resolution === undefined ? message : { ...message, Resolution: problem.resolution };
}

/**
 * Every Redfish error response is one of these, thrown from a route (or made from a fastify
 * error) and turned into the DMTF body by the server's error handler.
 */
export class RedfishHttpError extends Error {
  constructor(
    readonly status: number,
    readonly messages: readonly RedfishMessage[],
    /** Extra response headers, e.g. Allow on a 405. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(messages.map((m) => m.Message).join(' '));
  }

  static of(
    status: number,
    messageId: string,
    args: readonly string[] = [],
    relatedProperties?: readonly string[],
  ): RedfishHttpError {
    return new RedfishHttpError(status, [baseMessage(messageId, args, relatedProperties)]);
  }

  /** Several refusals at once, e.g. every bad property of one PATCH; the status is the first's. */
  static fromProblems(problems: readonly RedfishProblem[]): RedfishHttpError {
    const first = problems[0];
    if (!first) throw new Error('fromProblems needs at least one problem');
    return new RedfishHttpError(first.status, problems.map(problemMessage));
  }

  withHeaders(headers: Readonly<Record<string, string>>): RedfishHttpError {
    return new RedfishHttpError(this.status, this.messages, { ...this.headers, ...headers });
  }

  body(): object {
    return errorBody(this.messages);
  }
}

/** The 404 of a resource that is not there: ResourceMissingAtURI, naming the path asked for. */
export function resourceMissing(path: string): RedfishHttpError {
  return RedfishHttpError.of(404, 'ResourceMissingAtURI', [path]);
}
