/**
 * Storage benchmark: `npm run bench:storage`. Prints one table: the Redfish volume create path,
 * from the POST to the Task Completed, on the real local libvirtd (qemu:///system) with the
 * domain stopped, so every create makes a qcow2 volume in a dir pool and attaches it to the
 * domain's persistent definition.
 *
 * - a RAID1 create of 16 MiB on drives 0 and 1, Immediate, one at a time: p50 / p99 / mean;
 * - the same with 8 clients, each with one request in flight: p50 / p99 and creates per second;
 * - create + delete cycles, one at a time: cycles per second;
 *
 * 200 sequential creates, 96 with 8 in flight and 50 cycles (BENCH_STORAGE_CREATES sets the
 * first, the others follow), in that order on one emulator, whose storage stream grows by a
 * few events per operation; the table's footnote gives its length at the end.
 *
 * each with the emulator's default settle wait (the POST answers 201 once the work is done) and
 * with no settle wait (the POST answers 202 and the client polls the task monitor, without
 * sleeping, until it answers 201, as sushy's blocking mode does). A create counts as done when
 * its task completed and the libvirt volume is then found in the pool (that check is not timed).
 * Volumes are deleted through Redfish between rounds, so the drives never fill up and the
 * domain's definition stays small.
 *
 * The emulator runs in this process; the pool, the domain and the data dirs are made for the run
 * and removed after it, also when it fails.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../src/app.js';
import { LibvirtClient } from '../src/libvirt/client.js';
import { DomainUndefineFlag } from '../src/libvirt/constants.js';
import { LibvirtError } from '../src/libvirt/errors.js';
import type { PoolHandle } from '../src/libvirt/structs.js';
import { storageStream } from '../src/domain/storage/storage-events.js';
import { backingVolumeName } from '../src/domain/storage/backing-volume-name.js';
import { storeTag } from '../src/service-identity.js';
import { testConfig } from '../test/support/config.js';
import { formatRate, percentile, printTable } from './table.js';

const URI = process.env['BENCH_LIBVIRT_URI'] ?? 'qemu:///system';
const IN_FLIGHT = 8;
/** BENCH_STORAGE_CREATES sets the sequential count; the other measures scale with it. */
const SEQUENTIAL_CREATES = Number(process.env['BENCH_STORAGE_CREATES'] ?? 200);
const CONCURRENT_CREATES = Math.max(IN_FLIGHT, Math.floor(SEQUENTIAL_CREATES / 2 / IN_FLIGHT) * IN_FLIGHT);
const CYCLES = Math.max(1, Math.round(SEQUENTIAL_CREATES / 4));
/** Volumes created before they are all deleted again (a multiple of IN_FLIGHT). */
const ROUND = 24;
const WARM_UP = 5;
const TARGET_P50_MS = 25;
const DEFAULT_SETTLE_MS = 2000;
const READY_TIMEOUT_MS = 60_000;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const VOLUME_BYTES = 16 * MiB;
const SYSTEM = 'bench';
const STORAGE = 'RAID';
const STORAGE_STREAM = storageStream(SYSTEM, STORAGE);
const VOLUMES = `${STORAGE_STREAM}/Volumes`;
const DRIVES = `/redfish/v1/Systems/${SYSTEM}/Storage/${STORAGE}/Drives`;
const CREATE_BODY = JSON.stringify({
  RAIDType: 'RAID1',
  CapacityBytes: VOLUME_BYTES,
  Links: { Drives: [{ '@odata.id': `${DRIVES}/0` }, { '@odata.id': `${DRIVES}/1` }] },
  '@Redfish.OperationApplyTime': 'Immediate',
});

interface Answer {
  readonly status: number;
  readonly location: string | null;
  readonly text: string;
}

interface Done {
  readonly ms: number;
  /** HTTP requests the operation took: the request itself and every task monitor poll. */
  readonly requests: number;
  /** The new volume's URI, for a create. */
  readonly location: string | null;
}

interface Series {
  readonly label: string;
  readonly samples: number[];
  /** Requests per operation, summed. */
  requests: number;
  /** Wall time of the timed work, for the rate. */
  wallMs: number;
}

const series = (label: string): Series => ({ label, samples: [], requests: 0, wallMs: 0 });
const ms = (n: number) => `${n.toFixed(2)} ms`;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function send(method: string, url: string, body?: string): Promise<Answer> {
  const response = await fetch(url, {
    method,
    ...(body !== undefined && { body, headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

/** Sends the request and polls the task monitor a 202 names, without pausing, until it answers otherwise. */
async function untilDone(base: string, method: string, path: string, expected: number[], body?: string): Promise<Done> {
  const started = performance.now();
  let answer = await send(method, `${base}${path}`, body);
  let requests = 1;
  while (answer.status === 202) {
    if (!answer.location) throw new Error(`${method} ${path}: 202 without a task monitor in Location`);
    answer = await send('GET', new URL(answer.location, base).href);
    requests += 1;
  }
  const elapsed = performance.now() - started;
  if (!expected.includes(answer.status)) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
  return { ms: elapsed, requests, location: answer.location };
}

/** One emulator, started with `settleWaitMs`, on the run's pool and domain. */
class Bench {
  private readonly created: string[] = [];

  private constructor(
    private readonly emulator: RunningEmulator,
    private readonly client: LibvirtClient,
    private readonly pool: PoolHandle,
  ) {}

  static async start(
    root: string,
    settleWaitMs: number,
    lab: Record<string, unknown>,
    client: LibvirtClient,
    log: string[],
  ): Promise<Bench> {
    const dir = join(root, `emulator-settle-${settleWaitMs}`);
    mkdirSync(dir);
    const { config } = testConfig(dir, lab);
    const emulator = await startEmulator(config, { settleWaitMs, announce: (line) => log.push(line) });
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the lab was not ready within ${READY_TIMEOUT_MS / 1000} s`)),
          READY_TIMEOUT_MS,
        );
      });
      await Promise.race([emulator.lab!.ready, timeout]).finally(() => clearTimeout(timer));
      const pool = await client.poolLookupByName(config.libvirt.pool!.name);
      return new Bench(emulator, client, pool);
    } catch (err) {
      await emulator.close();
      throw err;
    }
  }

  private backingName(volumeUri: string): string {
    return backingVolumeName(
      SYSTEM,
      STORAGE,
      storeTag(this.emulator.store),
      volumeUri.slice(volumeUri.lastIndexOf('/') + 1),
    );
  }

  /** Creates one volume; the time runs from the POST to the task's completion. */
  async create(): Promise<Done> {
    const done = await untilDone(this.emulator.url, 'POST', VOLUMES, [201], CREATE_BODY);
    if (!done.location) throw new Error('a completed create named no volume in Location');
    this.created.push(new URL(done.location, this.emulator.url).pathname);
    return done;
  }

  /** The libvirt volume of each of these volumes (by default all that are not deleted) is in the pool. */
  async checkPresent(uris: readonly string[] = this.created): Promise<void> {
    for (const uri of uris) await this.client.volumeLookupByName(this.pool, this.backingName(uri));
  }

  async delete(volumeUri: string): Promise<Done> {
    const done = await untilDone(this.emulator.url, 'DELETE', volumeUri, [200, 204]);
    this.created.splice(this.created.indexOf(volumeUri), 1);
    const gone = await this.client.volumeLookupByName(this.pool, this.backingName(volumeUri)).then(
      () => false,
      (err: unknown) => err instanceof LibvirtError && err.isNoStorageVolume,
    );
    if (!gone) throw new Error(`DELETE ${volumeUri} completed but its libvirt volume is still in the pool`);
    return done;
  }

  /** Deletes every volume created so far, IN_FLIGHT at a time (not timed). */
  async deleteAll(): Promise<void> {
    await this.checkPresent();
    const uris = [...this.created];
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let uri = uris.shift(); uri !== undefined; uri = uris.shift()) await this.delete(uri);
      }),
    );
  }

  async sequential(count: number): Promise<Series> {
    const result = series('create, sequential');
    for (let done = 0; done < count; ) {
      for (const end = Math.min(count, done + ROUND); done < end; done += 1) {
        const create = await this.create();
        result.samples.push(create.ms);
        result.requests += create.requests;
        result.wallMs += create.ms;
        await this.checkPresent([this.created.at(-1)!]);
      }
      await this.deleteAll();
    }
    return result;
  }

  async concurrent(count: number): Promise<Series> {
    const result = series(`create, ${IN_FLIGHT} in flight`);
    for (let done = 0; done < count; ) {
      let left = Math.min(ROUND, count - done);
      done += left;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          for (; left > 0; ) {
            left -= 1;
            const create = await this.create();
            result.samples.push(create.ms);
            result.requests += create.requests;
          }
        }),
      );
      result.wallMs += performance.now() - started;
      await this.deleteAll();
    }
    return result;
  }

  async cycles(count: number): Promise<Series> {
    const result = series('create+delete cycle, sequential');
    for (let i = 0; i < count; i += 1) {
      const create = await this.create();
      await this.checkPresent([this.created[0]!]);
      const removed = await this.delete(this.created[0]!);
      result.samples.push(create.ms + removed.ms);
      result.requests += create.requests + removed.requests;
      result.wallMs += create.ms + removed.ms;
    }
    return result;
  }

  async warmUp(): Promise<void> {
    for (let i = 0; i < WARM_UP; i += 1) await this.create();
    await this.deleteAll();
  }

  /** Events in the storage subsystem's stream. */
  streamLength(): number {
    return this.emulator.store.readStream(STORAGE_STREAM).length;
  }

  async close(): Promise<void> {
    await this.emulator.close();
  }
}

/** Removes the run's volumes, pool and domain from libvirt, each whether or not the others went. */
async function removeFromLibvirt(client: LibvirtClient, poolName: string, domainName: string): Promise<void> {
  const quietly = async (action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (err) {
      if (!(err instanceof LibvirtError)) throw err;
    }
  };
  await quietly(async () => {
    const pool = await client.poolLookupByName(poolName);
    await client.poolRefresh(pool).catch(() => undefined);
    for (const volume of await client.poolListVolumes(pool)) await quietly(() => client.volumeDelete(volume));
    await quietly(() => client.poolDestroy(pool));
    await quietly(() => client.poolUndefine(pool));
  });
  await quietly(async () => {
    const domain = await client.domainLookupByName(domainName);
    await quietly(() => client.domainDestroy(domain));
    await client.domainUndefine(domain, DomainUndefineFlag.Nvram);
  });
}

const suffix = randomUUID().slice(0, 8);
const poolName = `rfe-bench-pool-${suffix}`;
const domainName = `rfe-bench-dom-${suffix}`;
const root = mkdtempSync(join(tmpdir(), 'rfe-bench-storage-'));
const poolDir = mkdtempSync(join(tmpdir(), 'rfe-bench-pool-'));
chmodSync(poolDir, 0o755);
const lab = {
  libvirt: { uri: URI, pool: { name: poolName, path: poolDir } },
  lab: {
    createMissingDomains: true,
    systems: [
      {
        id: SYSTEM,
        domain: domainName,
        vcpus: 1,
        memoryMiB: 64,
        storage: [
          {
            id: STORAGE,
            drives: Array.from({ length: 8 }, (_, i) => ({
              id: String(i),
              capacityBytes: 64 * GiB,
              mediaType: 'HDD',
              protocol: 'SAS',
            })),
          },
        ],
      },
    ],
  },
};
const log: string[] = [];
const client = await LibvirtClient.connect(URI);
let bench: Bench | undefined;
try {
  const modes = [
    { settleWaitMs: DEFAULT_SETTLE_MS, name: `settle ${DEFAULT_SETTLE_MS / 1000} s`, answer: '201' },
    { settleWaitMs: 0, name: 'settle 0', answer: '202, monitor polled' },
  ];
  const rows: string[][] = [];
  const notes: string[] = [];
  let sequentialP50 = NaN;
  for (const mode of modes) {
    bench = await Bench.start(root, mode.settleWaitMs, lab, client, log);
    await bench.warmUp();
    const measured = [
      await bench.sequential(SEQUENTIAL_CREATES),
      await bench.concurrent(CONCURRENT_CREATES),
      await bench.cycles(CYCLES),
    ];
    notes.push(`${bench.streamLength()} (${mode.name})`);
    await bench.close();
    bench = undefined;
    if (Number.isNaN(sequentialP50))
      sequentialP50 = percentile(
        [...measured[0]!.samples].sort((a, b) => a - b),
        50,
      );
    for (const s of measured) {
      const sorted = [...s.samples].sort((a, b) => a - b);
      rows.push([
        s.label,
        mode.name,
        mode.answer,
        String(sorted.length),
        ms(percentile(sorted, 50)),
        ms(percentile(sorted, 99)),
        ms(mean(sorted)),
        `${formatRate(sorted.length / (s.wallMs / 1000))}/s`,
        (s.requests / sorted.length).toFixed(1),
      ]);
    }
  }
  printTable(
    `Redfish volume create (RAID1 of ${VOLUME_BYTES / MiB} MiB, Immediate) on ${URI}, stopped domain, emulator in process (${process.version}); target: p50 under ${TARGET_P50_MS} ms`,
    ['measure', 'emulator', 'answer', 'n', 'p50', 'p99', 'mean', 'rate', 'requests/op'],
    rows,
  );
  console.log(`\nevents in the storage stream at the end: ${notes.join(', ')}`);
  console.log(
    `sequential create p50 ${ms(sequentialP50)}: ${sequentialP50 < TARGET_P50_MS ? 'meets' : 'MISSES'} the ${TARGET_P50_MS} ms target`,
  );
} catch (err) {
  if (log.length > 0) console.error(`emulator said:\n  ${log.join('\n  ')}`);
  throw err;
} finally {
  await bench?.close().catch((err: Error) => console.error(`closing the emulator: ${err.message}`));
  await removeFromLibvirt(client, poolName, domainName).catch((err: Error) =>
    console.error(`removing the pool and domain: ${err.message}`),
  );
  await client.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(poolDir, { recursive: true, force: true });
}
