import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from '../support/free-port.js';
import { join } from 'node:path';

/** Debian's interpreter: the one that sees python3-ironic (the first python3 on PATH may not). */
const PYTHON = '/usr/bin/python3';
export const IRONIC_API_VERSION = '1.80';

/**
 * ironic.conf for a standalone Ironic in one process: no Keystone, no message bus, SQLite, the
 * redfish hardware type with its out-of-band interfaces, virtual media boot and the ramdisk
 * deploy, images published over the test's HTTP server, and periodic tasks short enough that
 * a test does not wait on them.
 */
export function ironicConf(options: { dir: string; apiPort: number; httpUrl: string; httpRoot: string }): string {
  const { dir } = options;
  return `[DEFAULT]
auth_strategy = noauth
rpc_transport = none
host = rfe-test-ironic
enabled_hardware_types = redfish
enabled_power_interfaces = redfish
enabled_management_interfaces = redfish
enabled_inspect_interfaces = redfish
enabled_bios_interfaces = redfish
enabled_raid_interfaces = redfish
enabled_boot_interfaces = redfish-virtual-media
enabled_deploy_interfaces = ramdisk
enabled_network_interfaces = noop
enabled_console_interfaces = no-console
enabled_rescue_interfaces = no-rescue
enabled_vendor_interfaces = redfish,no-vendor
default_deploy_interface = ramdisk
default_boot_interface = redfish-virtual-media
tempdir = ${join(dir, 'tmp')}
log_file = ${join(dir, 'ironic.log')}
debug = true

[api]
host_ip = 127.0.0.1
port = ${options.apiPort}
api_workers = 1

[database]
connection = sqlite:///${join(dir, 'ironic.db')}

[dhcp]
dhcp_provider = none

[conductor]
automated_clean = false
sync_power_state_interval = 5
check_provision_state_interval = 2
power_state_change_timeout = 60
deploy_callback_timeout = 0

[deploy]
http_url = ${options.httpUrl}
http_root = ${options.httpRoot}

[redfish]
# Images go to the HTTP server above, not to Swift.
use_swift = false
raid_config_status_interval = 2
raid_config_fail_interval = 2

[oslo_concurrency]
lock_path = ${join(dir, 'locks')}
`;
}

/** A running Ironic (API and conductor in one process) and what it logged. */
export interface IronicService {
  readonly url: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Runs Ironic's own entry points with the environment minus the CA bundle variables: requests
 * lets REQUESTS_CA_BUNDLE override sushy's verify=False, which a self-signed BMC needs.
 */
function python(code: string, args: readonly string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const { REQUESTS_CA_BUNDLE: _r, CURL_CA_BUNDLE: _c, ...env } = process.env;
  return {
    command: PYTHON,
    args: [
      '-c',
      `import sys; from ${code} import main; sys.argv = ['ironic', *sys.argv[1:]]; sys.exit(main())`,
      ...args,
    ],
    env,
  };
}

/**
 * Writes the config and the database (create_schema: SQLite cannot run Ironic's migrations),
 * starts `ironic.cmd.singleprocess`, and resolves once its API answers.
 */
export async function startIronic(options: {
  dir: string;
  httpUrl: string;
  httpRoot: string;
  timeoutMs?: number;
}): Promise<IronicService> {
  const { dir } = options;
  for (const sub of ['tmp', 'locks']) mkdirSync(join(dir, sub), { recursive: true });
  const apiPort = await freePort();
  const confFile = join(dir, 'ironic.conf');
  writeFileSync(confFile, ironicConf({ ...options, apiPort }));
  const dbsync = python('ironic.cmd.dbsync', ['--config-file', confFile, 'create_schema']);
  const made = spawnSync(dbsync.command, dbsync.args, { env: dbsync.env, encoding: 'utf8', timeout: 120_000 });
  if (made.status !== 0) throw new Error(`ironic-dbsync create_schema failed (${made.status}): ${made.stderr}`);

  const run = python('ironic.cmd.singleprocess', ['--config-file', confFile]);
  // Its own process group, so stopping it takes any worker it forked too.
  const child: ChildProcess = spawn(run.command, run.args, {
    env: run.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${apiPort}`;
  const log = () => {
    try {
      return `${output}\n${readFileSync(join(dir, 'ironic.log'), 'utf8')}`;
    } catch {
      return output;
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, name);
      } catch {
        // Already gone.
      }
    };
    signal('SIGTERM');
    const killed = setTimeout(() => signal('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killed);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`ironic exited (${child.exitCode}) while starting:\n${output.slice(-4000)}`);
    const answered = await fetch(`${url}/v1`, {
      headers: { 'X-OpenStack-Ironic-API-Version': IRONIC_API_VERSION },
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (answered) return { url, log, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`ironic's API did not answer on ${url}:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
