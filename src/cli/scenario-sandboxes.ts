import type { CliCommand } from './command.js';
import { parseCommandArgs } from './command.js';
import { loadConfig } from '../config/load-config.js';
import { labSystems } from '../lab/lab-systems.js';
import { LibvirtConnections } from '../libvirt/connections.js';
import { isSimulatedUri } from '../libvirt/simulated-hypervisor.js';
import { findSandboxObjects, removeSandboxObjects } from '../scenario/sandbox.js';

const options = {
  config: { type: 'string' },
  'libvirt-uri': { type: 'string' },
  remove: { type: 'boolean' },
  all: { type: 'boolean' },
} as const;

export const scenarioSandboxesCommand: CliCommand = {
  words: ['scenario', 'sandboxes'],
  summary: 'list (or --remove) the sandbox pools and domains that killed replays left in libvirt',
  help: [
    'Usage: redfish-emulator scenario sandboxes [--remove] [options]',
    '',
    'A replay removes its sandbox when it ends, even when interrupted with Ctrl-C; one that was',
    'killed (kill -9, a power loss, a second Ctrl-C) leaves it in libvirt. This lists the',
    "storage pools and domains named as sandboxes of the configured lab are (its pool's and",
    "domains' names followed by -replay- and six hex digits), on its libvirt URIs, or with --all",
    'every sandbox of any lab there; --remove destroys and undefines the domains,',
    "deletes the pools' volumes, destroys and undefines the pools, and removes their",
    'directories. Nothing else is touched. Do not remove while a replay is running: its',
    'sandbox is listed too.',
    '',
    'Options:',
    '  --remove               remove what is listed',
    '  --all                  sandboxes of any lab, not only of the configured one',
    "  --libvirt-uri URI      look there instead of the configured lab's URIs",
    '  --config FILE          the lab (default: the embedded demo lab; env REDFISH_EMULATOR_CONFIG)',
  ].join('\n'),
  async run(argv) {
    const { values } = parseCommandArgs(argv, options);
    const config = loadConfig({ file: values.config });
    const liveNames = new Set([
      ...(config.libvirt.pool ? [config.libvirt.pool.name] : []),
      ...labSystems(config).map((s) => s.domainName),
    ]);
    const madeFrom = values.all ? undefined : (live: string) => liveNames.has(live);
    const uris =
      values['libvirt-uri'] !== undefined
        ? [values['libvirt-uri']]
        : // A sandbox's simulated machines are kept in its own data directory, and go with it.
          [...new Set([config.libvirt.uri, ...labSystems(config).map((s) => s.libvirtUri)])].filter(
            (uri) => !isSimulatedUri(uri),
          );
    const connections = new LibvirtConnections({ callTimeoutMs: 60_000 });
    let found = 0;
    try {
      for (const uri of uris) {
        const client = await connections.get(uri);
        const objects = await findSandboxObjects(client, madeFrom);
        for (const pool of objects.pools) console.log(`${uri} pool ${pool.name}${pool.path ? ` (${pool.path})` : ''}`);
        for (const domain of objects.domains) console.log(`${uri} domain ${domain}`);
        found += objects.pools.length + objects.domains.length;
        if (values.remove) await removeSandboxObjects(client, objects);
      }
    } finally {
      await connections.closeAll();
    }
    if (found === 0) console.log('no sandbox left in libvirt');
    else
      console.log(
        values.remove ? `removed ${found} sandbox objects` : `${found} sandbox objects; --remove removes them`,
      );
    return 0;
  },
};
