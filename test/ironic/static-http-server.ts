import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

/** A running file server and what it was asked for. */
export interface StaticHttpServer {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Serves the files of `root` over plain HTTP on 127.0.0.1: Ironic's [deploy] http_url, from
 * which the BMC fetches the images Ironic publishes in http_root. GET and HEAD only.
 */
export function startStaticHttpServer(root: string): Promise<StaticHttpServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(root, path);
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile() || !file.startsWith(root)) throw new Error('not a file');
      size = stat.size;
    } catch {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
