/**
 * libvirt client benchmark: `npm run bench:libvirt`. Prints one table, the RPC client beside
 * `virsh` spawned for the same work.
 *
 * - a cheap call (CONNECT_GET_LIB_VERSION) made sequentially: p50 / p99;
 * - calls per second with 64 in flight on one socket;
 * - volume create + delete in a dir pool: p50 / p99;
 * - the same work through `virsh`, one process per operation.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibvirtClient } from '../src/libvirt/client.js';
import { dirPoolXml, volumeXml } from '../src/libvirt/xml/storage-xml.js';
import { percentile, printTable } from './table.js';

const URI = process.env['BENCH_LIBVIRT_URI'] ?? 'qemu:///system';
const SEQUENTIAL_CALLS = 2000;
const PIPELINED_CALLS = 20_000;
const IN_FLIGHT = 64;
const VOLUME_CYCLES = 50;
const VIRSH_SPAWNS = 20;

const ms = (n: number) => `${n.toFixed(3)} ms`;

async function timed(action: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

async function samples(count: number, action: (i: number) => Promise<unknown> | unknown): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i += 1) result.push(await timed(() => action(i)));
  return result.sort((a, b) => a - b);
}

const virsh = (...args: string[]) => execFileSync('virsh', ['-c', URI, ...args], { stdio: 'ignore' });

const client = await LibvirtClient.connect(URI);
const poolDir = mkdtempSync(join(tmpdir(), 'rfe-bench-pool-'));
chmodSync(poolDir, 0o755);
const poolName = `rfe-bench-${process.pid}`;
const pool = await client.poolDefineXml(dirPoolXml(poolName, poolDir));
const rows: string[][] = [];
try {
  await client.poolBuild(pool);
  await client.poolCreate(pool);

  for (let i = 0; i < 200; i += 1) await client.libVersion(); // warm-up
  const cheap = await samples(SEQUENTIAL_CALLS, () => client.libVersion());
  const virshVersion = await samples(VIRSH_SPAWNS, () => virsh('version'));
  rows.push([
    'cheap call, sequential (p50)',
    ms(percentile(cheap, 50)),
    ms(percentile(virshVersion, 50)),
    `${(percentile(virshVersion, 50) / percentile(cheap, 50)).toFixed(0)}×`,
  ]);
  rows.push(['cheap call, sequential (p99)', ms(percentile(cheap, 99)), ms(percentile(virshVersion, 99)), '']);

  let issued = 0;
  const pipelined = await timed(async () => {
    const worker = async () => {
      while (issued < PIPELINED_CALLS) {
        issued += 1;
        await client.libVersion();
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  });
  rows.push([
    `calls/s, ${IN_FLIGHT} in flight`,
    `${Math.round(PIPELINED_CALLS / (pipelined / 1000)).toLocaleString('en-US')}/s`,
    `${Math.round(1000 / percentile(virshVersion, 50))}/s`,
    '',
  ]);

  const cycle = await samples(VOLUME_CYCLES, async (i) => {
    const volume = await client.volumeCreateXml(
      pool,
      volumeXml({ name: `v${i}.qcow2`, capacityBytes: 64 * 1024 * 1024 }),
    );
    await client.volumeDelete(volume);
  });
  await client.poolRefresh(pool);
  const virshCycle = await samples(VIRSH_SPAWNS, (i) => {
    virsh('vol-create-as', poolName, `w${i}.qcow2`, '64M', '--format', 'qcow2');
    virsh('vol-delete', '--pool', poolName, `w${i}.qcow2`);
  });
  rows.push([
    'volume create+delete (p50)',
    ms(percentile(cycle, 50)),
    ms(percentile(virshCycle, 50)),
    `${(percentile(virshCycle, 50) / percentile(cycle, 50)).toFixed(0)}×`,
  ]);
  rows.push(['volume create+delete (p99)', ms(percentile(cycle, 99)), ms(percentile(virshCycle, 99)), '']);

  printTable(
    `libvirt RPC client vs virsh on ${URI} (${process.version})`,
    ['measure', 'RPC client', 'virsh', 'faster'],
    rows,
  );
} finally {
  for (const volume of await client.poolListVolumes(pool).catch(() => []))
    await client.volumeDelete(volume).catch(() => undefined);
  await client.poolDestroy(pool).catch(() => undefined);
  await client.poolUndefine(pool).catch(() => undefined);
  await client.close();
  rmSync(poolDir, { recursive: true, force: true });
}
