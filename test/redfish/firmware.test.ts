import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { executeClientCommand } from '../../src/eventstore/execute-command.js';
import { openConfiguredStore } from '../../src/open-configured-store.js';
import { systemDecider } from '../../src/domain/system/system-decider.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { uniqueName, tearDownLab } from '../support/libvirt.js';
import { acceptedPosition } from '../support/accepted-position.js';

/*
 * Firmware end to end: the UpdateService and its FirmwareInventory over a real socket, images
 * fetched from servers this test runs on 127.0.0.1 (plain HTTP, and HTTPS with a certificate only
 * the configured CA file vouches for), a real domain on qemu:///system whose boot applies them,
 * and Debian's python3-sushy reading and updating.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-firmware-'));
const domainName = uniqueName('firmware');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/fw1';
const MANAGER = '/redfish/v1/Managers/fw1';
const STORAGE = `${SYSTEM}/Storage/RAID`;
const INVENTORY = '/redfish/v1/UpdateService/FirmwareInventory';
const SIMPLE_UPDATE = '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate';
const IMAGE = Buffer.from('an emulated firmware image\n'.repeat(1000));
const IMAGE_SHA256 = createHash('sha256').update(IMAGE).digest('hex');

let config: EmulatorConfig;
let emulator: RunningEmulator;
let libvirt: LibvirtClient;
let httpImages: Server;
let httpsImages: Server;
const { request, get } = redfishClient(() => emulator.url);
const base = (server: Server, scheme: string) => `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** The image servers: any path under /images/ is the image, /private/ wants lab:secret, the rest is a 404. */
function serveImages(req: IncomingMessage, res: ServerResponse): void {
  const authorized = req.headers.authorization === `Basic ${Buffer.from('lab:secret').toString('base64')}`;
  if (req.url?.startsWith('/private/') && !authorized)
    return void res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
  if (req.url?.startsWith('/images/') || req.url?.startsWith('/private/'))
    return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(IMAGE);
  res.writeHead(404).end();
}

const listen = (server: Server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const messageIds = async (response: Response) =>
  ((await response.json()) as { error: { '@Message.ExtendedInfo': { MessageId: string }[] } }).error[
    '@Message.ExtendedInfo'
  ].map((m) => m.MessageId.split('.').pop());
const memberIds = async (path: string) =>
  ((await get(path))['Members'] as { '@odata.id': string }[]).map((m) => m['@odata.id']);

/** Starts a SimpleUpdate and answers the task monitor it names. */
async function simpleUpdate(body: Record<string, unknown>): Promise<string> {
  const response = await request('POST', SIMPLE_UPDATE, body);
  expect(response.status, await response.clone().text()).toBe(202);
  const monitor = response.headers.get('location')!;
  expect(monitor).toMatch(/^\/redfish\/v1\/TaskService\/TaskMonitors\/[0-9a-f]+$/);
  return monitor;
}

/** The task behind a monitor once it is no longer Running: Pending (staged), or done. */
async function settledTask(monitor: string): Promise<{ status: number; body: Record<string, any> }> {
  const taskUri = monitor.replace('TaskMonitors', 'Tasks');
  await expect
    .poll(async () => (await get(taskUri))['TaskState'], { timeout: 30_000, interval: 100 })
    .not.toBe('Running');
  const response = await request('GET', monitor);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function boot(): Promise<void> {
  const power = (await get(SYSTEM))['PowerState'];
  const response = await request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, {
    ResetType: power === 'On' ? 'ForceRestart' : 'On',
  });
  expect(response.status).toBe(204);
  await expect.poll(async () => (await get(SYSTEM))['PowerState'], { timeout: 60_000, interval: 200 }).toBe('On');
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=images',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'ca.pem'),
    ],
    { stdio: 'pipe' },
  );
  httpImages = createHttpServer(serveImages);
  httpsImages = createHttpsServer(
    { cert: readFileSync(join(dir, 'ca.pem')), key: readFileSync(join(dir, 'key.pem')) },
    serveImages,
  );
  await Promise.all([listen(httpImages), listen(httpsImages)]);
  const drives = [0, 1].map((i) => ({
    id: String(i),
    capacityBytes: 2 ** 30,
    mediaType: 'SSD',
    protocol: 'SAS',
    revision: 'A1',
  }));
  config = testConfig(dir, {
    auth: { enabled: true },
    updateService: { caFile: join(dir, 'ca.pem') },
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: join(dir, 'pool') } },
    lab: {
      createMissingDomains: true,
      systems: [
        {
          id: 'fw1',
          name: 'Firmware node',
          domain: domainName,
          memoryMiB: 64,
          biosVersion: '1.4.0',
          bmcFirmwareVersion: '2.0.0',
          storage: [{ id: 'RAID', controller: { firmwareVersion: '7.1' }, drives }],
        },
      ],
    },
  }).config;
  libvirt = await LibvirtClient.connect('qemu:///system');
  emulator = await startEmulator(config, { resyncIntervalMs: 500 });
  await emulator.lab!.ready;
});

afterAll(async () => {
  httpImages?.close();
  httpsImages?.close();
  await tearDownLab({ emulator, libvirt, domainName, poolName, dir });
});

describe('UpdateService and FirmwareInventory', { timeout: 180_000 }, () => {
  it('lists each component with its configured version, the version its resource shows too', async () => {
    expect((await get('/redfish/v1'))['UpdateService']).toEqual({ '@odata.id': '/redfish/v1/UpdateService' });
    const service = await get('/redfish/v1/UpdateService');
    expect(service).toMatchObject({
      FirmwareInventory: { '@odata.id': INVENTORY },
      Actions: { '#UpdateService.SimpleUpdate': { target: SIMPLE_UPDATE } },
    });
    const ids = ['fw1-BIOS', 'fw1-BMC', 'fw1-RAID', 'fw1-RAID-Drive-0', 'fw1-RAID-Drive-1'];
    expect(await memberIds(INVENTORY)).toEqual(ids.map((id) => `${INVENTORY}/${id}`));
    const expected: Record<string, [string, string]> = {
      'fw1-BIOS': ['1.4.0', SYSTEM],
      'fw1-BMC': ['2.0.0', MANAGER],
      'fw1-RAID': ['7.1', `${STORAGE}/Controllers/0`],
      'fw1-RAID-Drive-0': ['A1', `${STORAGE}/Drives/0`],
      'fw1-RAID-Drive-1': ['A1', `${STORAGE}/Drives/1`],
    };
    for (const [id, [version, about]] of Object.entries(expected)) {
      expect(await get(`${INVENTORY}/${id}`)).toMatchObject({
        Id: id,
        Version: version,
        Updateable: true,
        RelatedItem: [{ '@odata.id': about }],
        Status: { State: 'Enabled' },
      });
    }
    expect((await get(SYSTEM))['BiosVersion']).toBe('1.4.0');
    expect((await get(MANAGER))['FirmwareVersion']).toBe('2.0.0');
    expect((await get(`${STORAGE}/Controllers/0`))['FirmwareVersion']).toBe('7.1');
    expect((await get(STORAGE))['StorageControllers'][0]['FirmwareVersion']).toBe('7.1');
    expect((await get(`${STORAGE}/Drives/1`))['Revision']).toBe('A1');
  });

  it('refuses bad input with a 400 and the Base message, and records nothing', async () => {
    const image = `${base(httpImages, 'http')}/images/bios-9.9.9.bin`;
    const cases: [Record<string, unknown>, string][] = [
      [{ Targets: [SYSTEM] }, 'ActionParameterMissing'],
      [{ ImageURI: 'not a url', Targets: [SYSTEM] }, 'ActionParameterValueFormatError'],
      [{ ImageURI: 'ftp://127.0.0.1/bios-9.9.9.bin', Targets: [SYSTEM] }, 'ActionParameterValueFormatError'],
      [{ ImageURI: image, TransferProtocol: 'TFTP', Targets: [SYSTEM] }, 'ActionParameterValueNotInList'],
      [{ ImageURI: image, TransferProtocol: 'Carrier pigeon', Targets: [SYSTEM] }, 'ActionParameterValueNotInList'],
      [{ ImageURI: image, Targets: ['/redfish/v1/Systems/nope'] }, 'ResourceNotFound'],
      [{ ImageURI: image, Targets: [`${INVENTORY}/fw1-NIC`] }, 'ResourceNotFound'],
      [{ ImageURI: image }, 'ActionParameterMissing'],
      [{ ImageURI: image, Targets: [SYSTEM], ForceUpdate: true }, 'ActionParameterNotSupported'],
      [{ ImageURI: image, Targets: [SYSTEM], Colour: 'blue' }, 'ActionParameterUnknown'],
    ];
    const before = acceptedPosition(emulator.store);
    for (const [body, messageId] of cases) {
      const response = await request('POST', SIMPLE_UPDATE, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await messageIds(response), JSON.stringify(body)).toEqual([messageId]);
    }
    expect(acceptedPosition(emulator.store)).toBe(before);
  });

  it('fetches the image over HTTPS with the configured CA, stages it, and applies it at the next boot', async () => {
    const monitor = await simpleUpdate({
      ImageURI: `${base(httpsImages, 'https')}/images/bios-2.1.0.bin`,
      TransferProtocol: 'HTTPS',
      Targets: [SYSTEM],
    });
    const staged = await settledTask(monitor);
    expect(staged.status).toBe(202);
    expect(staged.body).toMatchObject({ TaskState: 'Pending', TaskStatus: 'OK' });
    expect(staged.body['Messages'][0]['MessageId']).toMatch(/\.ResetRequired$/);
    // Pending: the staged image is listed as such, and the system still runs the old version.
    expect(await get(`${INVENTORY}/fw1-BIOS-Staged`)).toMatchObject({
      Version: '2.1.0',
      Staged: true,
      Active: false,
      Status: { State: 'StandbyOffline' },
      RelatedItem: [{ '@odata.id': SYSTEM }],
    });
    expect(await get(`${INVENTORY}/fw1-BIOS`)).toMatchObject({ Version: '1.4.0', Active: true });
    expect((await get(SYSTEM))['BiosVersion']).toBe('1.4.0');

    await boot();
    await expect.poll(async () => (await get(SYSTEM))['BiosVersion'], { timeout: 30_000, interval: 100 }).toBe('2.1.0');
    const done = await request('GET', monitor);
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ TaskState: 'Completed', TaskStatus: 'OK', PercentComplete: 100 });
    expect((await get(`${INVENTORY}/fw1-BIOS`))['Version']).toBe('2.1.0');
    expect((await request('GET', `${INVENTORY}/fw1-BIOS-Staged`)).status).toBe(404);
    expect(await memberIds(INVENTORY)).not.toContain(`${INVENTORY}/fw1-BIOS-Staged`);

    const history = queryHistory(emulator.store.db, {
      types: ['FirmwareUpdateRequested', 'FirmwareImageStaged', 'FirmwareUpdateApplied'],
    });
    expect(history.map((e) => e.type)).toEqual([
      'FirmwareUpdateRequested',
      'FirmwareImageStaged',
      'FirmwareUpdateApplied',
    ]);
    expect(history[0]!.meta.actor).toBe('user:admin');
    expect(history[1]!.data).toMatchObject({ version: '2.1.0', sha256: IMAGE_SHA256, sizeBytes: IMAGE.length });
    const entries = (await get(`${MANAGER}/LogServices/History/Entries`))['Members'] as { Message: string }[];
    expect(entries.some((e) => e.Message.includes('version 2.1.0 is staged for the next reset'))).toBe(true);
    expect(entries.some((e) => e.Message.includes('The system booted with its staged firmware: fw1-BIOS=2.1.0'))).toBe(
      true,
    );
  });

  it('ends the task in Exception with the exact reason when the image cannot be fetched', async () => {
    const closed = createHttpServer();
    await listen(closed);
    const unreachable = `${base(closed, 'http')}/images/bios-3.0.0.bin`;
    await new Promise((resolve) => closed.close(resolve));
    const cases: [string, string, RegExp][] = [
      [`${base(httpImages, 'http')}/missing/bios-3.0.0.bin`, 'InternalError', /answered HTTP 404 Not Found/],
      [unreachable, 'CouldNotEstablishConnection', /ECONNREFUSED/],
      [
        'http://no-such-host.invalid/images/bios-3.0.0.bin',
        'CouldNotEstablishConnection',
        /getaddrinfo ENOTFOUND no-such-host\.invalid/,
      ],
      [
        `${base(httpImages, 'http')}/private/bios-3.0.0.bin`,
        'ResourceAtUriUnauthorized',
        /answered HTTP 401 Unauthorized/,
      ],
    ];
    for (const [uri, messageId, reason] of cases) {
      const monitor = await simpleUpdate({ ImageURI: uri, Targets: [SYSTEM] });
      const failed = await settledTask(monitor);
      expect(failed.status, uri).toBe(500);
      const message = failed.body['error']['@Message.ExtendedInfo'][0];
      expect(message.MessageId, uri).toMatch(new RegExp(`\\.${messageId}$`));
      expect(message.Message, uri).toMatch(reason);
      expect((await get(monitor.replace('TaskMonitors', 'Tasks')))['TaskState']).toBe('Exception');
    }
    expect((await get(SYSTEM))['BiosVersion']).toBe('2.1.0');
    expect(await memberIds(INVENTORY)).not.toContain(`${INVENTORY}/fw1-BIOS-Staged`);
  });

  it('updates controller and drive firmware named by their resources, with credentials, versioned by the image digest', async () => {
    const monitor = await simpleUpdate({
      ImageURI: `${base(httpImages, 'http')}/private/storage.bin`,
      Username: 'lab',
      Password: 'secret',
      Targets: [STORAGE, `${STORAGE}/Drives/1`],
    });
    expect((await settledTask(monitor)).body['TaskState']).toBe('Pending');
    const version = IMAGE_SHA256.slice(0, 12);
    expect((await get(`${INVENTORY}/fw1-RAID-Drive-1-Staged`))['Version']).toBe(version);
    // No password in the log.
    const requested = queryHistory(emulator.store.db, { types: ['FirmwareUpdateRequested'] }).at(-1)!;
    expect(JSON.stringify(requested)).not.toContain('secret');
    await boot();
    await expect
      .poll(async () => (await get(`${STORAGE}/Drives/1`))['Revision'], { timeout: 30_000, interval: 100 })
      .toBe(version);
    expect((await get(`${STORAGE}/Drives/0`))['Revision']).toBe('A1');
    expect((await get(`${STORAGE}/Controllers/0`))['FirmwareVersion']).toBe(version);
    expect((await get(STORAGE))['StorageControllers'][0]['FirmwareVersion']).toBe(version);
    expect((await get(`${INVENTORY}/fw1-RAID`))['Version']).toBe(version);
  });

  it('is read and driven by sushy 4.3.3: firmware inventory, simple_update and its task monitor', async () => {
    const script = `
import json, sushy
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
service = c.get_update_service()
inventory = {i.identity: [i.version, i.updateable, i.related_item] for i in service.firmware_inventory.get_members()}
assert service.software_inventory.get_members() == []
monitor = service.simple_update('${base(httpImages, 'http')}/images/bmc-3.2.0.bin', targets=['${MANAGER}'])
print(json.dumps({'inventory': inventory, 'monitor': monitor.task_monitor_uri, 'processing': monitor.is_processing}))
`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const result = JSON.parse(stdout) as {
      inventory: Record<string, [string, boolean, { '@odata.id': string }[]]>;
      monitor: string;
      processing: boolean;
    };
    expect(result.inventory['fw1-BMC']).toEqual(['2.0.0', true, [{ '@odata.id': MANAGER }]]);
    expect(result.inventory['fw1-BIOS']?.[0]).toBe('2.1.0');
    expect(result.processing).toBe(true);
    expect((await settledTask(result.monitor)).body['TaskState']).toBe('Pending');
    await boot();
    await expect
      .poll(async () => (await get(MANAGER))['FirmwareVersion'], { timeout: 30_000, interval: 100 })
      .toBe('3.2.0');
  });

  it('fetches after a restart the image of an update accepted just before the emulator stopped', async () => {
    await emulator.close();
    // Accepted, and the process gone before its fetcher got to it.
    const { store } = openConfiguredStore(config);
    const request = {
      type: 'RequestFirmwareUpdate',
      taskId: 'restart1',
      imageUri: `${base(httpImages, 'http')}/images/bios-4.0.0.bin`,
      transferProtocol: 'HTTP',
      targets: ['fw1-BIOS'],
    } as const;
    expect(executeClientCommand(store, SYSTEM, systemDecider, request, { actor: 'user:admin' }).ok).toBe(true);
    store.db.close();
    emulator = await startEmulator(config, { resyncIntervalMs: 500 });
    const staged = await settledTask('/redfish/v1/TaskService/TaskMonitors/restart1');
    expect(staged.body).toMatchObject({ TaskState: 'Pending' });
    expect((await get(`${INVENTORY}/fw1-BIOS-Staged`))['Version']).toBe('4.0.0');
  });

  it('stops at once with a fetch under way, records nothing of it, and fetches it again at the next start', async () => {
    let answering = false;
    const slow = createHttpServer((req, res) => (answering ? serveImages(req, res) : undefined));
    await listen(slow);
    const monitor = await simpleUpdate({ ImageURI: `${base(slow, 'http')}/images/bios-5.0.0.bin`, Targets: [SYSTEM] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopping = Date.now();
    await emulator.close();
    expect(Date.now() - stopping).toBeLessThan(5000);
    const { store } = openConfiguredStore(config);
    const outcomes = queryHistory(store.db, { types: ['FirmwareImageStaged', 'FirmwareUpdateFailed'] }).map(
      (e) => (e.data as { taskId: string }).taskId,
    );
    store.db.close();
    expect(outcomes).not.toContain(monitor.split('/').pop());
    answering = true;
    emulator = await startEmulator(config, { resyncIntervalMs: 500 });
    expect((await settledTask(monitor)).body).toMatchObject({ TaskState: 'Pending' });
    expect((await get(`${INVENTORY}/fw1-BIOS-Staged`))['Version']).toBe('5.0.0');
    slow.closeAllConnections();
    slow.close();
  });
});
