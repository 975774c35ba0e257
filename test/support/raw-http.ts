import { connect } from 'node:net';

/**
 * Sends `request` as raw bytes to the server at `url` and resolves with everything it answers
 * once it closes the connection: for requests no HTTP client would send (an unknown method,
 * a body declared but never sent).
 */
export function rawExchange(url: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.write(request);
  });
}
