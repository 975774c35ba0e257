/**
 * HTTP benchmark: `npm run bench:http`. Prints one table: requests per second and p99 latency
 * of GETs of the service root, the Systems collection and a system (with a session token and
 * with HTTP Basic), beside a bare fastify route returning a constant JSON document, each
 * server in its own process on this machine, in the same run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { formatRate, printTable } from './table.js';

const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 8);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const bare = fileURLToPath(new URL('./bare-server.js', import.meta.url));

/** Starts a server process and resolves once it prints the line that says it is ready. */
function startProcess(args: string[], readyLine: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (readyLine.test(line)) resolve(child);
    });
  });
}

/** Requests per second at `url`; errors are failed requests and answers other than 2xx (or than `refused.status`). */
async function load(
  url: string,
  headers: Record<string, string> = {},
  refused?: { method: 'PATCH'; body: string; status: number },
): Promise<{ rate: number; p99: number; errors: number }> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers,
    ...(refused && { method: refused.method, body: refused.body }),
  });
  const unexpected = refused
    ? result.requests.total -
      (result.statusCodeStats?.[String(refused.status) as keyof typeof result.statusCodeStats]?.count ?? 0)
    : result.non2xx;
  return { rate: result.requests.average, p99: result.latency.p99, errors: result.errors + unexpected };
}

const dir = mkdtempSync(join(tmpdir(), 'rfe-bench-http-'));
const children: ChildProcess[] = [];
try {
  // One system on libvirt's test driver: its views are real, and nothing here touches QEMU.
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir: join(dir, 'data'),
      listen: { port: 18400 },
      tls: false,
      libvirt: { uri: 'test:///default' },
      lab: { createMissingDomains: false, systems: [{ id: 'node-1', domain: 'test' }] },
    }),
  );
  children.push(await startProcess([cli, 'serve', '--config', config], /serving http/));
  children.push(await startProcess([bare, '18401'], /^ready$/));
  const base = 'http://127.0.0.1:18400';
  await new Promise((resolve) => setTimeout(resolve, 1000)); // the lab's first observation

  const login = await fetch(`${base}/redfish/v1/SessionService/Sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ UserName: 'admin', Password: 'password' }),
  });
  const token = { 'X-Auth-Token': login.headers.get('x-auth-token')! };
  const basic = { Authorization: `Basic ${Buffer.from('admin:password').toString('base64')}` };

  const bareResult = await load('http://127.0.0.1:18401/bare');
  const runs: [string, Awaited<ReturnType<typeof load>>][] = [
    ['bare fastify route, constant JSON', bareResult],
    ['GET service root (no credentials)', await load(`${base}/redfish/v1/`)],
    ['GET Systems collection (session)', await load(`${base}/redfish/v1/Systems`, token)],
    ['GET system (session)', await load(`${base}/redfish/v1/Systems/node-1`, token)],
    ['GET system (HTTP Basic)', await load(`${base}/redfish/v1/Systems/node-1`, basic)],
    // Refusals are recorded (up to the limits, then counted): what a client retrying a bad request costs.
    [
      'PATCH refused 404 (session)',
      await load(
        `${base}/redfish/v1/Systems/none`,
        { ...token, 'Content-Type': 'application/json' },
        { method: 'PATCH', body: '{"AssetTag": "x"}', status: 404 },
      ),
    ],
  ];
  printTable(
    `HTTP, ${CONNECTIONS} connections, ${SECONDS} s each (${process.version})`,
    ['request', 'requests/s', 'p99', 'of bare', 'errors'],
    runs.map(([name, r]) => [
      name,
      formatRate(r.rate),
      `${r.p99} ms`,
      `${Math.round((100 * r.rate) / bareResult.rate)}%`,
      String(r.errors),
    ]),
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
