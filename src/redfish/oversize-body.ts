import type { IncomingMessage } from 'node:http';

/**
 * How much of a refused body is read and thrown away so that its 413 reaches the client. A
 * client that sends its whole body before it reads the answer (Python's http.client, curl
 * without Expect) sees a broken pipe, not the 413, when the connection closes under it; past
 * this bound the sender is not worth the bandwidth and the connection is cut.
 */
export const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads what is left of a request's body and discards it. True once the body has ended, false
 * when more than `limitBytes` arrived first or the connection failed: the caller closes then.
 */
export function discardBody(request: IncomingMessage, limitBytes = DISCARD_LIMIT_BYTES): Promise<boolean> {
  if (request.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let discarded = 0;
    const finish = (ended: boolean) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onError);
      if (!ended) request.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > limitBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onError = () => finish(false);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onError);
    request.resume();
  });
}
