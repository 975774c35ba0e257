import type { CliCommand } from './command.js';
import { parseCommandArgs } from './command.js';
import { LibvirtClient } from '../libvirt/client.js';
import { StoragePoolState } from '../libvirt/constants.js';
import { uuidToString } from '../libvirt/structs.js';
import { CONFIG_ENV } from '../config/load-config.js';

const options = { uri: { type: 'string' }, json: { type: 'boolean' }, 'read-only': { type: 'boolean' } } as const;

interface Inventory {
  uri: string;
  libvirtVersion: string;
  hostname: string;
  pools: {
    name: string;
    state: string;
    capacityBytes: number;
    allocationBytes: number;
    volumes: { name: string; path: string; capacityBytes: number }[];
  }[];
  domains: { name: string; uuid: string; id: number; state: string }[];
}

const poolStateName = (state: number) =>
  Object.entries(StoragePoolState).find(([, v]) => v === state)?.[0] ?? String(state);
const version = (v: bigint) => `${v / 1_000_000n}.${(v / 1000n) % 1000n}.${v % 1000n}`;

async function inventory(client: LibvirtClient): Promise<Inventory> {
  const [libvirtVersion, hostname, pools, domains] = await Promise.all([
    client.libVersion(),
    client.hostname(),
    client.listAllStoragePools(),
    client.listAllDomainsWithState(),
  ]);
  return {
    uri: client.uri,
    libvirtVersion: version(libvirtVersion),
    hostname,
    pools: await Promise.all(
      pools.map(async (pool) => {
        const info = await client.poolGetInfo(pool);
        const running = info.state === StoragePoolState.Running;
        const volumes = running ? await client.poolListVolumes(pool) : [];
        const sizes = await Promise.all(volumes.map((v) => client.volumeGetInfo(v)));
        return {
          name: pool.name,
          state: poolStateName(info.state),
          capacityBytes: Number(info.capacity),
          allocationBytes: Number(info.allocation),
          volumes: volumes.map((v, i) => ({ name: v.name, path: v.key, capacityBytes: Number(sizes[i]!.capacity) })),
        };
      }),
    ),
    domains: domains.map(({ domain, state }) => ({
      name: domain.name,
      uuid: uuidToString(domain.uuid),
      id: domain.id,
      state: state.stateName,
    })),
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const GiB = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

function render(inv: Inventory): string {
  const volumes = inv.pools.flatMap((p) => p.volumes.map((v) => [p.name, v.name, GiB(v.capacityBytes), v.path]));
  return [
    `${inv.uri} on ${inv.hostname}, libvirt ${inv.libvirtVersion}`,
    '',
    table(
      ['POOL', 'STATE', 'CAPACITY', 'ALLOCATED', 'VOLUMES'],
      inv.pools.map((p) => [p.name, p.state, GiB(p.capacityBytes), GiB(p.allocationBytes), String(p.volumes.length)]),
    ),
    '',
    volumes.length ? table(['POOL', 'VOLUME', 'CAPACITY', 'PATH'], volumes) : '(no volumes)',
    '',
    inv.domains.length
      ? table(
          ['DOMAIN', 'STATE', 'ID', 'UUID'],
          inv.domains.map((d) => [d.name, d.state, d.id < 0 ? '-' : String(d.id), d.uuid]),
        )
      : '(no domains)',
  ].join('\n');
}

export const libvirtInspectCommand: CliCommand = {
  words: ['libvirt', 'inspect'],
  summary: 'show what the libvirt client sees on a URI: pools, volumes, domains',
  help: [
    'Usage: redfish-emulator libvirt inspect [--uri URI] [--json] [--read-only]',
    '',
    "Connects with the emulator's own libvirt client and lists storage pools (state, size),",
    'their volumes, and domains with their states.',
    '',
    'Options:',
    `  --uri URI      libvirt URI (default qemu:///system; env ${CONFIG_ENV.libvirtUri})`,
    '  --json         one JSON document instead of tables',
    "  --read-only    use the daemon's read-only socket",
  ].join('\n'),
  async run(argv) {
    const { values } = parseCommandArgs(argv, options);
    const uri = values.uri ?? process.env[CONFIG_ENV.libvirtUri] ?? 'qemu:///system';
    let client: LibvirtClient;
    try {
      client = await LibvirtClient.connect(uri, { readOnly: values['read-only'], reconnect: false });
    } catch (err) {
      console.error(`redfish-emulator libvirt inspect: ${(err as Error).message}`);
      return 1;
    }
    try {
      const inv = await inventory(client);
      console.log(values.json ? JSON.stringify(inv, null, 2) : render(inv));
      return 0;
    } finally {
      await client.close();
    }
  },
};
