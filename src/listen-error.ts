import { ExplainedError } from './explained-error.js';

/**
 * Why the service could not listen, as one line that names the problem and the fix, in place of
 * the system's error (and its stack trace). Errors it does not know are returned as they are.
 */
export function explainListenError(err: unknown, address: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return new ExplainedError(
        `cannot listen on ${address} port ${port}: another program is listening there; stop it, or choose another port with --port (key listen.port)`,
      );
    case 'EADDRNOTAVAIL':
      return new ExplainedError(
        `cannot listen on ${address}: it is not an address of this machine; choose one it has with --listen (key listen.address), e.g. 127.0.0.1 or 0.0.0.0`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ExplainedError(
        `cannot listen on ${address}: no such host name; give an address of this machine with --listen (key listen.address), e.g. 127.0.0.1 or 0.0.0.0`,
      );
    case 'EACCES':
      return new ExplainedError(
        `cannot listen on ${address} port ${port}: not allowed (ports below 1024 need root or CAP_NET_BIND_SERVICE); choose a port from 1024 up with --port (key listen.port)`,
      );
    default:
      return err;
  }
}
