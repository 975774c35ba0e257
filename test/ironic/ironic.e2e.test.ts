import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DomainState, DomainXmlFlag } from '../../src/libvirt/constants.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { rootDiskVolumeName } from '../../src/lab/lab-provisioner.js';
import { ADMIN_BASIC } from '../support/redfish-client.js';
import { removeLabByName } from '../support/libvirt.js';
import { startEmulatorProcess, stopEmulatorProcess, type EmulatorProcess } from '../support/emulator-process.js';
import { startIronic, type IronicService } from './ironic-service.js';
import { ironicClient } from './ironic-client.js';
import { startStaticHttpServer, type StaticHttpServer } from './static-http-server.js';
import { demoLab } from './demo-lab.js';

/*
 * OpenStack Ironic (standalone, as Debian packages it) provisioning the shipped demo lab through
 * the emulator: enroll, manage, out-of-band inspection, power and boot device, provide, a
 * virtual-media deploy of a boot ISO with RAID deploy steps, and undeploy. Each step is checked
 * as Ironic sees it and as the emulator recorded and carried it out (its history, its Redfish
 * resources, and libvirt).
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-ironic-'));
const httpRoot = join(dir, 'http');
const lab = demoLab(dir);
const SYSTEM = '/redfish/v1/Systems/node-1';
const STORAGE = `${SYSTEM}/Storage/RAID-Controller-1`;
const NODE = 'rfe-node-1';
const GiB = 1024 ** 3;
const MINUTES = 60_000;

let libvirt: LibvirtClient;
let emulator: EmulatorProcess | undefined;
let ironic: IronicService | undefined;
let http: StaticHttpServer | undefined;
let client: ReturnType<typeof ironicClient>;

/** A request to the emulator over its HTTPS, trusting the certificate it made for itself. */
function emulatorRequest(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const ca = readFileSync(join(lab.dataDir, 'tls', 'cert.pem'));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${emulator!.url}${path}`,
      {
        method,
        ca,
        headers: { authorization: ADMIN_BASIC, ...(body !== undefined && { 'content-type': 'application/json' }) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function redfish(path: string): Promise<Record<string, any>> {
  const { status, body } = await emulatorRequest('GET', path);
  expect(status, path).toBe(200);
  return body as Record<string, any>;
}

/** The emulator's history of node-1 (its system, storage, media…), as its own API lists it. */
async function history(): Promise<{ type: string; actor: string; data: Record<string, any> }[]> {
  const events: { type: string; actor: string; data: Record<string, any> }[] = [];
  let next: string | null = `/emulator/v1/History?resource=${encodeURIComponent(SYSTEM)}&limit=1000`;
  while (next) {
    const page: Record<string, any> = await redfish(next);
    events.push(...(page['Events'] as typeof events));
    next = page['Next'] as string | null;
  }
  return events;
}

async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  ms = 3 * MINUTES,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The files of the domain's disks (not CD-ROM or floppy) in its persistent definition. */
async function domainDiskFiles(): Promise<string[]> {
  const domain = await libvirt.domainLookupByName(lab.domains['node-1']!);
  return readDomainXml(await libvirt.domainGetXml(domain, DomainXmlFlag.Inactive))
    .disks.filter((d) => d.device === 'disk')
    .map((d) => basename(d.sourceFile ?? ''));
}

async function poolVolumes(): Promise<string[]> {
  const pool = await libvirt.poolLookupByName(lab.poolName);
  await libvirt.poolRefresh(pool);
  return (await libvirt.poolListVolumes(pool)).map((v) => v.name).sort();
}

beforeAll(async () => {
  // QEMU's user must reach the pool's volumes, and Ironic's published images are read by the HTTP server.
  chmodSync(dir, 0o755);
  mkdirSync(httpRoot);
  libvirt = await LibvirtClient.connect('qemu:///system');
  http = await startStaticHttpServer(httpRoot);
  // A tiny bootable-looking ISO: the machine never needs to boot it for Ironic to call the deploy done.
  mkdirSync(join(dir, 'iso'));
  writeFileSync(join(dir, 'iso', 'README'), 'redfish-emulator Ironic test image\n');
  const iso = spawnSync(
    'genisoimage',
    ['-quiet', '-V', 'RFETEST', '-o', join(httpRoot, 'boot.iso'), join(dir, 'iso')],
    { encoding: 'utf8' },
  );
  if (iso.status !== 0) throw new Error(`genisoimage failed: ${iso.stderr}`);
  // Both at once (each takes seconds), each kept as soon as it runs so that afterAll stops it
  // even when the other fails to start.
  const started = await Promise.allSettled([
    startEmulatorProcess(lab.configFile).then((running) => (emulator = running)),
    startIronic({ dir: join(dir, 'ironic'), httpUrl: http.url, httpRoot }).then((running) => (ironic = running)),
  ]);
  for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
  client = ironicClient(ironic!.url);
  await poll(
    () => redfish(SYSTEM),
    (s) => s['Status']?.['State'] === 'Enabled' && s['PowerState'] !== undefined,
    'the lab to be observed',
  );
}, 5 * MINUTES);

afterAll(async () => {
  const failures: unknown[] = [];
  const attempt = async (step: () => Promise<unknown> | undefined) => {
    try {
      await step();
    } catch (err) {
      failures.push(err);
    }
  };
  await attempt(() => ironic?.stop());
  await attempt(() => emulator && stopEmulatorProcess(emulator));
  await attempt(() => http?.close());
  for (const domain of Object.values(lab.domains))
    await attempt(() => removeLabByName(libvirt, { domain, pool: lab.poolName }));
  await attempt(() => libvirt?.close());
  rmSync(dir, { recursive: true, force: true });
  if (failures.length > 0) throw failures[0];
}, 2 * MINUTES);

describe('Ironic provisions the demo lab through the emulator', () => {
  // What Ironic logged is what says why a step failed.
  beforeEach(({ onTestFailed }) =>
    onTestFailed(() => console.log(`Ironic's log, last lines:\n${ironic?.log().slice(-12_000)}`)),
  );

  it(
    'enrolls node-1 with the redfish driver and manages it',
    async () => {
      await client.request('POST', '/v1/nodes', {
        name: NODE,
        driver: 'redfish',
        driver_info: {
          redfish_address: emulator!.url,
          redfish_system_id: SYSTEM,
          redfish_username: 'admin',
          redfish_password: 'password',
          redfish_verify_ca: false,
        },
      });
      const node = await client.provision(NODE, { target: 'manage' }, 'manageable');
      expect(node).toMatchObject({
        power_state: 'power off',
        last_error: null,
        boot_interface: 'redfish-virtual-media',
        raid_interface: 'redfish',
      });
      // Verification caches the BIOS settings through the bios interface: those the system's Bios has.
      const attributes = (await redfish(`${SYSTEM}/Bios`))['Attributes'] as Record<string, unknown>;
      const cached = (await client.request('GET', `/v1/nodes/${NODE}/bios`))['bios'] as {
        name: string;
        value: unknown;
      }[];
      expect(cached.map((s) => s.name).sort()).toEqual(Object.keys(attributes).sort());
      // Ironic keeps values as text (a boolean false as "0"): compare the text ones.
      for (const setting of cached)
        if (typeof attributes[setting.name] === 'string')
          expect(setting.value, setting.name).toBe(attributes[setting.name]);
    },
    5 * MINUTES,
  );

  it(
    'inspects it out of band: memory, CPUs, the root disk, the vendor, a port per NIC',
    async () => {
      const node = await client.provision(NODE, { target: 'inspect' }, 'manageable');
      const system = await redfish(SYSTEM);
      expect(node['properties']).toMatchObject({
        memory_mb: '1024',
        cpus: 1,
        cpu_arch: 'x86_64',
        vendor: system['Manufacturer'],
      });
      // The 10 GiB root disk, less the GiB Ironic keeps back.
      expect(Number(node['properties']['local_gb'])).toBe(9);
      const nics = (await redfish(`${SYSTEM}/EthernetInterfaces`))['Members'] as { '@odata.id': string }[];
      const macs = await Promise.all(
        nics.map(async (m) => String((await redfish(m['@odata.id']))['MACAddress']).toLowerCase()),
      );
      const ports = (await client.request('GET', `/v1/ports?node=${NODE}`))['ports'] as { address: string }[];
      expect(ports.map((p) => p.address).sort()).toEqual(macs.sort());
      expect(macs.length).toBeGreaterThan(0);
      // What Ironic read: the root disk, a pool volume, shown as SimpleStorage.
      expect(await domainDiskFiles()).toEqual([rootDiskVolumeName('node-1')]);
      expect(await poolVolumes()).toContain(rootDiskVolumeName('node-1'));
      expect((await redfish(`${SYSTEM}/SimpleStorage/virtio`))['Devices']).toEqual([
        expect.objectContaining({ CapacityBytes: 10 * GiB, Status: { State: 'Enabled', Health: 'OK' } }),
      ]);
    },
    5 * MINUTES,
  );

  it(
    'powers it on, reboots it, powers it off and sets its boot device',
    async () => {
      const resetsBefore = (await history()).filter((e) => e.type === 'ResetRequested').length;
      await client.power(NODE, 'power on');
      await poll(
        () => redfish(SYSTEM),
        (s) => s['PowerState'] === 'On',
        'the system to be On',
      );
      await client.power(NODE, 'rebooting');
      await client.power(NODE, 'power off');
      await poll(
        () => redfish(SYSTEM),
        (s) => s['PowerState'] === 'Off',
        'the system to be Off',
      );
      const domain = await libvirt.domainLookupByName(lab.domains['node-1']!);
      expect((await libvirt.domainGetState(domain)).state).toBe(DomainState.Shutoff);

      await client.request('PUT', `/v1/nodes/${NODE}/management/boot_device`, {
        boot_device: 'cdrom',
        persistent: false,
      });
      expect(await client.request('GET', `/v1/nodes/${NODE}/management/boot_device`)).toEqual({
        boot_device: 'cdrom',
        persistent: false,
      });
      expect((await redfish(SYSTEM))['Boot']).toMatchObject({
        BootSourceOverrideTarget: 'Cd',
        BootSourceOverrideEnabled: 'Once',
      });

      // Each power action Ironic asked for was recorded as the client's and carried out.
      const events = await history();
      const resets = events.filter((e) => e.type === 'ResetRequested').slice(resetsBefore);
      expect(resets.every((e) => e.actor === 'user:admin')).toBe(true);
      const types = resets.map((e) => String(e.data['resetType']));
      // Ironic's redfish reboot is an off then an on; a restart or power cycle would do as well.
      expect(types[0], types.join()).toBe('On');
      expect(
        types.filter((t) => t === 'On').length + types.filter((t) => /Restart|PowerCycle/.test(t)).length,
        types.join(),
      ).toBeGreaterThanOrEqual(2);
      expect(types.at(-1), types.join()).toMatch(/Off/);
      expect(events.filter((e) => e.type === 'ResetApplied').length).toBeGreaterThanOrEqual(resets.length);
      expect(
        events.some((e) => e.type === 'BootOverrideChanged' && e.actor === 'user:admin' && e.data['target'] === 'Cd'),
      ).toBe(true);
    },
    5 * MINUTES,
  );

  it(
    'deploys a boot ISO over virtual media with RAID deploy steps: the old volume deleted, a RAID1 made',
    async () => {
      await client.provision(NODE, { target: 'provide' }, 'available');
      // A volume left from an earlier tenant, for delete_configuration to remove.
      const old = await emulatorRequest('POST', `${STORAGE}/Volumes`, {
        RAIDType: 'RAID1',
        Name: 'old',
        Links: { Drives: [4, 5].map((d) => ({ '@odata.id': `${STORAGE}/Drives/${d}` })) },
      });
      expect([201, 202]).toContain(old.status);
      await poll(
        () => redfish(`${STORAGE}/Volumes`),
        (v) => v['Members@odata.count'] === 1,
        'the old volume',
      );
      await poll(
        () => redfish(`${STORAGE}/Volumes/1`),
        (v) => v['Status']['State'] === 'Enabled',
        'the old volume to be made',
      );

      await client.request('PATCH', `/v1/nodes/${NODE}`, [
        { op: 'add', path: '/instance_info', value: { boot_iso: `${http!.url}/boot.iso` } },
      ]);
      const raidConfig = {
        logical_disks: [{ size_gb: 1, raid_level: '1', controller: 'RAID-Controller-1', is_root_volume: true }],
      };
      const node = await client.provision(
        NODE,
        {
          target: 'active',
          // Above deploy.deploy's priority (100): the volumes are laid out before the image is booted.
          deploy_steps: [
            { interface: 'raid', step: 'delete_configuration', args: {}, priority: 150 },
            { interface: 'raid', step: 'apply_configuration', args: { raid_config: raidConfig }, priority: 140 },
          ],
        },
        'active',
      );
      expect(node).toMatchObject({ power_state: 'power on', last_error: null });
      expect(node['raid_config']['logical_disks']).toEqual([
        expect.objectContaining({ raid_level: '1', size_gb: 1, controller: 'RAID-Controller-1' }),
      ]);

      // The emulator's view: one RAID1 volume on two HDDs, the ISO in the CD drive, the machine on.
      const volumes = await redfish(`${STORAGE}/Volumes`);
      expect(volumes['Members@odata.count']).toBe(1);
      const made = await redfish(volumes['Members'][0]['@odata.id']);
      expect(made).toMatchObject({ RAIDType: 'RAID1', Status: { State: 'Enabled', Health: 'OK' } });
      expect(made['CapacityBytes']).toBeGreaterThanOrEqual(GiB * 0.9);
      expect(made['Links']['Drives']).toHaveLength(2);
      const cd = await redfish('/redfish/v1/Managers/node-1/VirtualMedia/Cd');
      expect(cd).toMatchObject({ Inserted: true });
      expect(String(cd['Image'])).toMatch(new RegExp(`^${http!.url}/`));
      expect(http!.requests.some((r) => r.startsWith('GET ') && r.endsWith('.iso'))).toBe(true);
      expect((await redfish(SYSTEM))['PowerState']).toBe('On');

      // Its history: the client's delete and create, each carried out.
      const events = await history();
      const types = events.map((e) => e.type);
      expect(events.some((e) => e.type === 'VolumeDeleteRequested' && e.actor === 'user:admin')).toBe(true);
      expect(types.lastIndexOf('VolumeCreateRequested')).toBeGreaterThan(types.lastIndexOf('VolumeDeleteRequested'));
      expect(events.some((e) => e.type === 'VirtualMediaInserted')).toBe(true);

      // libvirt: the root disk and the new volume's backing disk on the domain, the old one gone from the pool.
      const backingOf = (id: string) =>
        events.find((e) => e.type === 'VolumeCreateRequested' && e.data['volumeId'] === id)?.data[
          'backingVolume'
        ] as string;
      const backing = backingOf(String(made['Id']));
      expect((await domainDiskFiles()).sort()).toEqual([backing, rootDiskVolumeName('node-1')].sort());
      expect(await poolVolumes()).not.toContain(backingOf('1'));
      expect(await poolVolumes()).toContain(backing);
      // The host's own disks are still the root disk alone: a volume's backing disk is the controller's.
      expect((await redfish(`${SYSTEM}/SimpleStorage/virtio`))['Devices']).toEqual([
        expect.objectContaining({ Name: 'vda', CapacityBytes: 10 * GiB }),
      ]);
    },
    6 * MINUTES,
  );

  it(
    'undeploys it: powered off, the virtual media ejected, available again',
    async () => {
      const node = await client.provision(NODE, { target: 'deleted' }, 'available');
      expect(node).toMatchObject({ power_state: 'power off', last_error: null });
      await poll(
        () => redfish(SYSTEM),
        (s) => s['PowerState'] === 'Off',
        'the system to be Off',
      );
      expect((await redfish('/redfish/v1/Managers/node-1/VirtualMedia/Cd'))['Inserted']).toBe(false);
      expect((await history()).some((e) => e.type === 'VirtualMediaEjected')).toBe(true);
    },
    5 * MINUTES,
  );
});
