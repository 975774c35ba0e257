/**
 * Soak: `npm run soak -- [--minutes N] [--seed S] [--libvirtd-restarts N]`. Runs the emulator as a
 * separate process (`redfish-emulator serve`) on a lab of its own (a dir pool under a temp dir
 * and two small domains, each with a RAID controller), drives it with mixed clients at once
 * (GETs, boot override PATCHes, resets, volume create/delete, virtual media insert/eject of a file
 * served over http, history reads), kills it with SIGKILL at random points and starts it again on
 * the same store, and restarts libvirtd (the way the tests do, test/support/restart-libvirtd.ts).
 *
 * At the end it waits for the lab to converge and checks every acknowledged write (201/202/204)
 * against the final Redfish views and against libvirt (the pool's volumes, the domains' disks),
 * looks for orphans (backing volumes or disks no volume owns) and tasks left open, and prints a
 * table. It exits 1 when a write was lost, an orphan or an open task remains, or a 5xx came
 * outside a kill. Everything it made is removed at the end, also on Ctrl-C.
 *
 * The run is bounded (3 minutes by default) and reproducible in what it asks for (--seed); the
 * timing of the daemons is not.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { LibvirtClient } from '../src/libvirt/client.js';
import { DomainXmlFlag } from '../src/libvirt/constants.js';
import { readDomainXml } from '../src/libvirt/xml/domain-xml.js';
import { powerStateOf } from '../src/reconciler/power-state.js';
import { backingVolumeName, backingVolumePrefix, storeTagOf } from '../src/domain/storage/backing-volume-name.js';
import { removeDomainByName, removePoolByName } from '../src/lab/remove-lab-objects.js';
import { startEmulatorProcess, stopEmulatorProcess, type EmulatorProcess } from '../test/support/emulator-process.js';
import { restartLibvirtd } from '../test/support/restart-libvirtd.js';
import { seededRandom } from '../test/support/seeded-random.js';
import { printTable } from './table.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    seed: { type: 'string' },
    'libvirtd-restarts': { type: 'string', default: '1' },
    kills: { type: 'string' },
  },
});
const MINUTES = Number(args.minutes);
const SEED = args.seed !== undefined ? Number(args.seed) : Math.floor(Math.random() * 2 ** 31);
const LIBVIRTD_RESTARTS = Number(args['libvirtd-restarts']);
/** A kill every 30 s or so by default. */
const KILLS = args.kills !== undefined ? Number(args.kills) : Math.max(1, Math.round(MINUTES * 2));
const URI = 'qemu:///system';
const CONVERGE_TIMEOUT_MS = 180_000;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const STORAGE = 'RAID';
/** Volumes a system holds at most before the volume client deletes instead of creating. */
const MAX_VOLUMES = 6;

const rand = seededRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const suffix = randomUUID().slice(0, 8);
const root = mkdtempSync(join(tmpdir(), 'rfe-soak-'));
const poolDir = join(root, 'pool');
const poolName = `rfe-soak-pool-${suffix}`;
const systems = ['s1', 's2'].map((id) => ({ id, domain: `rfe-soak-${suffix}-${id}` }));
const configFile = join(root, 'config.json');

// --- the state of the run -------------------------------------------------------------------

type Kind =
  | 'get'
  | 'boot patch'
  | 'reset'
  | 'volume create'
  | 'volume delete'
  | 'media insert'
  | 'media eject'
  | 'history';
interface Counts {
  '2xx': number;
  '4xx': number;
  '5xx': number;
  '5xx in kill': number;
  'no answer': number;
}
const counts = new Map<Kind, Counts>();
const count = (kind: Kind, column: keyof Counts) => {
  const row = counts.get(kind) ?? { '2xx': 0, '4xx': 0, '5xx': 0, '5xx in kill': 0, 'no answer': 0 };
  row[column] += 1;
  counts.set(kind, row);
};
const unexpected: string[] = [];

let emulator: EmulatorProcess | undefined;
/** Set while the emulator is being killed and started again, or libvirtd restarted until the lab converged: answers then are theirs. */
let killing = false;
let stopping = false;
/** Set while the convergence after a libvirtd restart is measured: the clients send nothing new. */
let paused = false;
let lastKillEnd = 0;

/** Volumes acknowledged as created (201, or 202 whose task completed), and those acknowledged as deleted. */
const created = new Map<string, { system: string; volumeId: string; taskFailed?: boolean }>();
const deleted = new Set<string>();
/** Deletes sent without an answer (the emulator killed meanwhile): carried out or not, neither is a loss. */
const maybeDeleted = new Set<string>();
/** What refused requests said, for the report: a 4xx is the client's doing, but should be explicable. */
const refusals = new Map<string, number>();

interface Answer {
  status: number;
  location: string | null;
  json: Record<string, any> | undefined;
}

/** One request to whichever emulator runs now; undefined when none answered (killed, starting). */
async function send(kind: Kind | undefined, method: string, path: string, body?: unknown): Promise<Answer | undefined> {
  const running = emulator;
  if (!running) {
    if (kind) count(kind, 'no answer');
    return undefined;
  }
  const duringKill = killing;
  try {
    const response = await fetch(`${running.url}${path}`, {
      method,
      ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    const answer = {
      status: response.status,
      location: response.headers.get('location'),
      json: text ? (JSON.parse(text) as Record<string, any>) : undefined,
    };
    if (kind) {
      if (response.status >= 500) {
        const inKill = duringKill || killing;
        count(kind, inKill ? '5xx in kill' : '5xx');
        if (!inKill) unexpected.push(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
      } else count(kind, response.status >= 400 ? '4xx' : '2xx');
      if (response.status >= 400 && response.status < 500) {
        const id = `${kind} ${response.status} ${(answer.json?.['error']?.['@Message.ExtendedInfo']?.[0]?.['MessageId'] as string | undefined) ?? ''}`;
        refusals.set(id, (refusals.get(id) ?? 0) + 1);
      }
    }
    return answer;
  } catch {
    if (kind) count(kind, 'no answer');
    return undefined;
  }
}

/** Follows a task monitor until it answers otherwise than 202, across kills. */
async function untilDone(monitor: string): Promise<Answer | undefined> {
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const answer = await send(undefined, 'GET', monitor);
    if (answer && answer.status !== 202) return answer;
    await sleep(300);
  }
  return undefined;
}

// --- the clients ----------------------------------------------------------------------------

const systemPath = (id: string) => `/redfish/v1/Systems/${id}`;
const volumesPath = (id: string) => `${systemPath(id)}/Storage/${STORAGE}/Volumes`;

async function getter(): Promise<void> {
  const id = pick(systems).id;
  const path = pick([
    systemPath(id),
    `${systemPath(id)}/Storage/${STORAGE}`,
    volumesPath(id),
    `/redfish/v1/Managers/${id}`,
    `/redfish/v1/Managers/${id}/VirtualMedia/Cd`,
    '/redfish/v1/TaskService/Tasks',
    '/redfish/v1/Systems',
  ]);
  await send('get', 'GET', path);
}

async function bootPatcher(): Promise<void> {
  const target = pick(['Pxe', 'Hdd', 'Cd', 'None']);
  const enabled = target === 'None' ? 'Disabled' : pick(['Once', 'Continuous']);
  await send('boot patch', 'PATCH', systemPath(pick(systems).id), {
    Boot: { BootSourceOverrideTarget: target, BootSourceOverrideEnabled: enabled },
  });
}

async function resetter(): Promise<void> {
  await send('reset', 'POST', `${systemPath(pick(systems).id)}/Actions/ComputerSystem.Reset`, {
    ResetType: pick(['On', 'ForceOff', 'ForceRestart', 'ForceOff']),
  });
}

async function volumes(): Promise<void> {
  const system = pick(systems).id;
  const live = [...created.entries()].filter(
    ([uri, v]) => v.system === system && !deleted.has(uri) && !maybeDeleted.has(uri) && !v.taskFailed,
  );
  if (live.length >= MAX_VOLUMES || (live.length > 0 && rand() < 0.4)) {
    const [uri] = pick(live);
    const answer = await send('volume delete', 'DELETE', uri);
    if (!answer) maybeDeleted.add(uri);
    if (answer?.status === 204 || answer?.status === 200) deleted.add(uri);
    if (answer?.status === 202 && answer.location) {
      const done = await untilDone(answer.location);
      if (done && done.status < 300) deleted.add(uri);
    }
    return;
  }
  const drives = pick([
    ['0', '1'],
    ['2', '3'],
  ]);
  const body = {
    RAIDType: 'RAID1',
    CapacityBytes: 16 * MiB,
    Links: { Drives: drives.map((d) => ({ '@odata.id': `${systemPath(system)}/Storage/${STORAGE}/Drives/${d}` })) },
  };
  const answer = await send('volume create', 'POST', volumesPath(system), body);
  if (answer?.status === 201 && answer.location) {
    const uri = new URL(answer.location, 'http://x').pathname;
    created.set(uri, { system, volumeId: basename(uri) });
  }
  if (answer?.status === 202 && answer.location) {
    // Acknowledged: the volume is listed at once (the task's Payload names it); the task says how it ended.
    const task = await untilDone(answer.location);
    const location = task?.location;
    if (task && task.status === 201 && location) {
      const uri = new URL(location, 'http://x').pathname;
      created.set(uri, { system, volumeId: basename(uri) });
    } else if (task && task.status >= 400) {
      count('volume create', '4xx');
    }
  }
}

let imageUrl = '';
async function media(): Promise<void> {
  const manager = `/redfish/v1/Managers/${pick(systems).id}/VirtualMedia/Cd`;
  if (rand() < 0.5)
    await send('media insert', 'POST', `${manager}/Actions/VirtualMedia.InsertMedia`, { Image: imageUrl });
  else await send('media eject', 'POST', `${manager}/Actions/VirtualMedia.EjectMedia`, {});
}

async function history(): Promise<void> {
  await send('history', 'GET', `/redfish/v1/Managers/${pick(systems).id}/LogServices/History/Entries`);
}

/** Runs `step` again and again with a short pause, until the run stops. */
async function loop(step: () => Promise<void>, pauseMs: number): Promise<void> {
  while (!stopping) {
    if (paused) {
      await sleep(100);
      continue;
    }
    await step().catch((err: Error) => unexpected.push(`client: ${err.message}`));
    await sleep(pauseMs * (0.5 + rand()));
  }
}

// --- chaos ----------------------------------------------------------------------------------

/** The output of every emulator started so far, the running one's last. */
const outputs: (() => string)[] = [];
async function startEmulator(): Promise<void> {
  emulator = await startEmulatorProcess(configFile);
  outputs.push(emulator.output);
}

/** What the emulators printed besides one line per request. */
function saidBesidesRequests(): string[] {
  return outputs
    .flatMap((output) => output().split('\n'))
    .filter((line) => line.trim() !== '' && !line.includes('"msg":"request"'));
}

/** From each restart's exec to its `serving` line. */
const restartMs: number[] = [];

/** SIGKILL, a pause, and a start on the same store. */
async function killAndRestart(): Promise<void> {
  killing = true;
  const running = emulator!;
  emulator = undefined;
  await stopEmulatorProcess(running, 'SIGKILL');
  await sleep(200 + rand() * 1500);
  const exec = Date.now();
  await startEmulator();
  restartMs.push(Date.now() - exec);
  // Answers in the first moments still belong to requests sent to the killed one.
  await sleep(500);
  killing = false;
  lastKillEnd = Date.now();
}

// --- convergence and checks -----------------------------------------------------------------

const OPEN_TASK = new Set([
  'New',
  'Starting',
  'Running',
  'Pending',
  'Suspended',
  'Stopping',
  'Cancelling',
  'Interrupted',
  'Service',
]);

/** The tasks not finished, by their @odata.id. */
async function openTasks(): Promise<string[]> {
  const tasks = await send(undefined, 'GET', '/redfish/v1/TaskService/Tasks');
  if (!tasks?.json) return ['(TaskService not answering)'];
  const open: string[] = [];
  for (const member of tasks.json['Members'] as { '@odata.id': string }[]) {
    const task = await send(undefined, 'GET', member['@odata.id']);
    if (task?.json && OPEN_TASK.has(task.json['TaskState'] as string)) open.push(member['@odata.id']);
  }
  return open;
}

/** Converged: no task open, no loop failing, and every system's PowerState is its domain's. */
async function converged(libvirt: LibvirtClient): Promise<boolean> {
  const health = await send(undefined, 'GET', '/healthz');
  if (health?.json?.['status'] !== 'ok') return false;
  if ((await openTasks()).length > 0) return false;
  for (const { id, domain } of systems) {
    const system = await send(undefined, 'GET', systemPath(id));
    const actual = powerStateOf(await libvirt.domainGetState(await libvirt.domainLookupByName(domain)));
    if (system?.json?.['PowerState'] !== actual) return false;
  }
  return true;
}

/** How long until converged, in ms; NaN when it never did within the timeout. */
async function timeToConverge(libvirt: () => Promise<LibvirtClient>, from: number): Promise<number> {
  while (Date.now() - from < CONVERGE_TIMEOUT_MS) {
    try {
      if (await converged(await libvirt())) return Date.now() - from;
    } catch {
      // libvirt or the emulator not back yet.
    }
    await sleep(250);
  }
  return NaN;
}

interface Findings {
  /** Why each task that ended in Exception did: not a loss (the client was told), but worth reading. */
  failures: string[];
  lost: string[];
  orphans: string[];
  openTasks: string[];
  failedTasks: number;
}

async function check(libvirt: LibvirtClient): Promise<Findings> {
  const lost: string[] = [];
  const orphans: string[] = [];
  const failures: string[] = [];
  let failedTasks = 0;
  const pool = await libvirt.poolLookupByName(poolName);
  await libvirt.poolRefresh(pool);
  const inPool = new Set(await Promise.all((await libvirt.poolListVolumes(pool)).map((v) => v.name)));
  const owned = new Set<string>();
  // Backing volumes carry the store's tag, made from the service's UUID.
  const tag = storeTagOf(String((await send(undefined, 'GET', '/redfish/v1'))?.json?.['UUID']));
  for (const { id, domain } of systems) {
    const collection = await send(undefined, 'GET', volumesPath(id));
    const listed = new Set(
      (collection?.json?.['Members'] as { '@odata.id': string }[] | undefined)?.map((m) => m['@odata.id']) ?? [],
    );
    const xml = await libvirt.domainGetXml(await libvirt.domainLookupByName(domain), DomainXmlFlag.Inactive);
    const attached = new Set(
      readDomainXml(xml).disks.flatMap((d) => (d.device === 'disk' && d.sourceFile ? [basename(d.sourceFile)] : [])),
    );
    for (const uri of listed) owned.add(backingVolumeName(id, STORAGE, tag, basename(uri)));
    for (const [uri, volume] of created) {
      if (volume.system !== id) continue;
      const name = backingVolumeName(id, STORAGE, tag, volume.volumeId);
      if (deleted.has(uri)) {
        if (listed.has(uri)) lost.push(`delete of ${uri}: still listed`);
        if (inPool.has(name)) lost.push(`delete of ${uri}: ${name} still in the pool`);
        continue;
      }
      if (!listed.has(uri)) {
        if (!maybeDeleted.has(uri)) lost.push(`create of ${uri}: not listed`);
        continue;
      }
      if (!inPool.has(name)) lost.push(`create of ${uri}: ${name} not in the pool`);
      if (!attached.has(name)) lost.push(`create of ${uri}: ${name} not attached to ${domain}`);
    }
    // A disk of this lab's volumes that no listed volume owns.
    for (const file of attached)
      if (file.startsWith(backingVolumePrefix(id, STORAGE, tag)) && !owned.has(file))
        orphans.push(`${domain}: disk ${file}`);
  }
  const tasks = await send(undefined, 'GET', '/redfish/v1/TaskService/Tasks');
  for (const member of (tasks?.json?.['Members'] as { '@odata.id': string }[] | undefined) ?? []) {
    const task = await send(undefined, 'GET', member['@odata.id']);
    if (task?.json?.['TaskState'] !== 'Exception') continue;
    failedTasks += 1;
    const message =
      (task.json['Messages'] as { Message?: string }[] | undefined)?.map((m) => m.Message).join(' ') ?? '';
    failures.push(`task ${member['@odata.id']} ended in Exception: ${message.slice(0, 300)}`);
  }
  for (const name of inPool)
    if (name.endsWith('.qcow2') && name.startsWith('rfe-') && !owned.has(name)) orphans.push(`pool: ${name}`);
  return { failures, lost, orphans, openTasks: await openTasks(), failedTasks };
}

// --- the run --------------------------------------------------------------------------------

async function cleanUp(): Promise<void> {
  stopping = true;
  if (emulator) await stopEmulatorProcess(emulator, 'SIGKILL').catch(() => undefined);
  emulator = undefined;
  try {
    const libvirt = await LibvirtClient.connect(URI);
    for (const { domain } of systems) await removeDomainByName(libvirt, domain).catch(() => undefined);
    await removePoolByName(libvirt, poolName).catch(() => undefined);
    await libvirt.close();
  } catch (err) {
    console.error(`soak: removing ${poolName} and the domains: ${(err as Error).message}`);
  }
  rmSync(root, { recursive: true, force: true });
}

let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  console.error('soak: interrupted; removing what it made');
  void cleanUp().finally(() => process.exit(130));
});

const image = createServer((_request, response) => response.end(Buffer.alloc(256 * 1024, 1)));
await new Promise<void>((resolve) => image.listen(0, '127.0.0.1', resolve));
imageUrl = `http://127.0.0.1:${(image.address() as { port: number }).port}/soak.iso`;

chmodSync(root, 0o755);
writeFileSync(
  configFile,
  JSON.stringify({
    dataDir: join(root, 'data'),
    listen: { port: 0 },
    auth: { enabled: false },
    tls: false,
    libvirt: { uri: URI, pool: { name: poolName, path: poolDir } },
    lab: {
      createMissingDomains: true,
      systems: systems.map(({ id, domain }) => ({
        id,
        domain,
        vcpus: 1,
        memoryMiB: 64,
        storage: [
          {
            id: STORAGE,
            drives: Array.from({ length: 4 }, (_, i) => ({
              id: String(i),
              capacityBytes: 4 * GiB,
              mediaType: 'HDD',
              protocol: 'SAS',
            })),
          },
        ],
      })),
    },
  }),
);

let exitCode = 1;
let libvirt: LibvirtClient | undefined;
/** One client for the run: it reconnects by itself after a libvirtd restart. */
const connect = async () => (libvirt ??= await LibvirtClient.connect(URI));
try {
  console.log(
    `soak: ${MINUTES} min, seed ${SEED}, ${KILLS} kills, ${LIBVIRTD_RESTARTS} libvirtd restarts, lab ${poolName} under ${root}`,
  );
  await startEmulator();
  if (Number.isNaN(await timeToConverge(connect, Date.now())))
    throw new Error(`the lab did not converge within ${CONVERGE_TIMEOUT_MS / 1000} s of the first start`);
  const end = Date.now() + MINUTES * 60_000;
  const clients = [
    loop(getter, 50),
    loop(getter, 50),
    loop(bootPatcher, 500),
    loop(resetter, 2000),
    loop(volumes, 300),
    loop(volumes, 300),
    loop(media, 1500),
    loop(history, 1000),
  ];
  // Chaos at random points of the run's first 80 %, in order; the rest is for the clients alone.
  const events = [
    ...Array.from({ length: KILLS }, () => ({ at: rand() * 0.8, kind: 'kill' as const })),
    ...Array.from({ length: LIBVIRTD_RESTARTS }, () => ({ at: 0.1 + rand() * 0.7, kind: 'libvirtd' as const })),
  ].sort((a, b) => a.at - b.at);
  const started = Date.now();
  const libvirtdConvergence: number[] = [];
  let kills = 0;
  for (const event of events) {
    const wait = started + event.at * MINUTES * 60_000 - Date.now();
    if (wait > 0) await sleep(wait);
    if (interrupted) break;
    if (event.kind === 'kill') {
      await killAndRestart();
      kills += 1;
      console.log(`soak: killed and restarted the emulator (${kills}/${KILLS})`);
    } else {
      // Work cut short by the daemon going away fails, and says so (a task's 500): that is the restart's, like a kill's.
      killing = true;
      const restarted = Date.now();
      await restartLibvirtd();
      // Requests in flight meet the restart; new ones wait until the lab has converged, which would not happen under the clients' load.
      paused = true;
      const ms = await timeToConverge(connect, restarted);
      paused = false;
      killing = false;
      libvirtdConvergence.push(ms);
      console.log(`soak: restarted libvirtd; converged in ${(ms / 1000).toFixed(1)} s`);
    }
  }
  await sleep(Math.max(0, end - Date.now()));
  stopping = true;
  await Promise.all(clients);
  const sinceLastKill = lastKillEnd > 0 ? Date.now() - lastKillEnd : NaN;
  const afterKill = await timeToConverge(connect, Date.now());
  const findings = await check(await connect());

  const kinds: Kind[] = [
    'get',
    'boot patch',
    'reset',
    'volume create',
    'volume delete',
    'media insert',
    'media eject',
    'history',
  ];
  printTable(
    `Soak: ${MINUTES} min on ${URI}, seed ${SEED}, 8 clients, ${kills} SIGKILLs of the emulator, ${libvirtdConvergence.length} libvirtd restarts (${process.version})`,
    ['requests', '2xx', '4xx', '5xx', '5xx in kill', 'no answer'],
    kinds.map((kind) => {
      const row = counts.get(kind) ?? { '2xx': 0, '4xx': 0, '5xx': 0, '5xx in kill': 0, 'no answer': 0 };
      return [
        kind,
        String(row['2xx']),
        String(row['4xx']),
        String(row['5xx']),
        String(row['5xx in kill']),
        String(row['no answer']),
      ];
    }),
  );
  const fiveHundreds = [...counts.values()].reduce((n, row) => n + row['5xx'], 0);
  const seconds = (ms: number) => (Number.isNaN(ms) ? 'never' : `${(ms / 1000).toFixed(1)} s`);
  printTable(
    'Outcome',
    ['check', 'result'],
    [
      ['volumes acknowledged created / deleted', `${created.size} / ${deleted.size}`],
      ['acknowledged writes lost', String(findings.lost.length)],
      ['orphans (backing volumes or disks no volume owns)', String(findings.orphans.length)],
      ['tasks left open', String(findings.openTasks.length)],
      ['tasks ended in Exception', String(findings.failedTasks)],
      ['restart after a SIGKILL, exec to serving (max)', seconds(Math.max(...restartMs))],
      [
        'convergence once the clients stopped (last kill that much earlier)',
        `${seconds(afterKill)} (${seconds(sinceLastKill)})`,
      ],
      ...libvirtdConvergence.map((ms, i) => [`libvirtd restart ${i + 1}: from its start to converged`, seconds(ms)]),
      ['5xx outside a kill', String(fiveHundreds)],
    ],
  );
  for (const [refusal, n] of refusals) console.log(`  refused: ${refusal} (${n})`);
  for (const line of [
    ...findings.failures,
    ...findings.lost,
    ...findings.orphans,
    ...findings.openTasks.map((t) => `open: ${t}`),
    ...unexpected.slice(0, 20),
  ])
    console.log(`  ${line}`);
  const failed =
    findings.lost.length > 0 ||
    findings.orphans.length > 0 ||
    findings.openTasks.length > 0 ||
    fiveHundreds > 0 ||
    Number.isNaN(afterKill);
  exitCode = failed ? 1 : 0;
  if (failed)
    console.log(
      `\nwhat the emulators said besides the request log (last 40 lines):\n${saidBesidesRequests().slice(-40).join('\n')}`,
    );
} catch (err) {
  console.error(`soak: ${(err as Error).stack ?? err}`);
  console.error(saidBesidesRequests().slice(-40).join('\n'));
} finally {
  image.close();
  await libvirt?.close().catch(() => undefined);
  if (!interrupted) await cleanUp();
}
process.exit(exitCode);
