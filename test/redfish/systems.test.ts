import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { openConfiguredStore } from '../../src/open-configured-store.js';
import { executeCommand } from '../../src/eventstore/execute-command.js';
import { systemDecider } from '../../src/domain/system/system-decider.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { DeviceModifyFlag, DomainXmlFlag } from '../../src/libvirt/constants.js';
import { diskDeviceXml } from '../../src/libvirt/xml/device-xml.js';
import { volumeXml } from '../../src/libvirt/xml/storage-xml.js';
import { testConfig } from '../support/config.js';
import { BIOS_ATTRIBUTES } from '../../src/domain/system/bios-attributes.js';
import { macFor } from '../../src/lab/lab-provisioner.js';
import { mediaFile } from '../../src/reconciler/media-actions.js';
import { uniqueName, tearDownLab } from '../support/libvirt.js';
import { acceptedPosition } from '../support/accepted-position.js';

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-systems-'));
const poolDir = join(dir, 'pool');
const domainName = uniqueName('sys');
const poolName = uniqueName('pool');
let config: EmulatorConfig;
let emulator: RunningEmulator;
let libvirt: LibvirtClient;
const SYSTEM = '/redfish/v1/Systems/n1';
const MANAGER = '/redfish/v1/Managers/n1';
/** What the image server hands out as boot.iso. */
const IMAGE = Buffer.from('an image, as far as the emulator can tell\n'.repeat(2000));
let imageServer: string;
let images: Server;

/** The embedded default account, as a client sends it with HTTP Basic. */
const AUTHORIZATION = `Basic ${Buffer.from('admin:password').toString('base64')}`;

async function get(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}${path}`, { headers: { authorization: AUTHORIZATION } });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

function patch(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${emulator.url}${path}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: AUTHORIZATION, ...headers },
    body: JSON.stringify(body),
  });
}

function post(path: string, body: string) {
  return fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
    body,
  });
}

async function powerStateBecomes(state: string): Promise<void> {
  await expect.poll(async () => (await get(SYSTEM))['PowerState'], { timeout: 15_000, interval: 100 }).toBe(state);
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  images = createServer((request, response) => {
    if (request.url === '/boot.iso') response.end(IMAGE);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imageServer = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  config = testConfig(dir, {
    auth: { enabled: true },
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: poolDir } },
    lab: {
      createMissingDomains: true,
      systems: [{ id: 'n1', name: 'Node one', domain: domainName, vcpus: 1, memoryMiB: 64 }],
    },
  }).config;
  libvirt = await LibvirtClient.connect('qemu:///system');
  emulator = await startEmulator(config, { resyncIntervalMs: 1000 });
  await emulator.lab!.ready;
});

afterAll(async () => {
  images?.close();
  await tearDownLab({ emulator, libvirt, domainName, poolName, dir });
});

describe('Systems over a real libvirt lab', () => {
  it('defines the missing domain and pool, and presents the domain as a ComputerSystem', async () => {
    const domain = await libvirt.domainLookupByName(domainName);
    expect((await libvirt.poolGetInfo(await libvirt.poolLookupByName(poolName))).state).toBe(2);
    const root = await get('/redfish/v1');
    expect(root['Systems']).toEqual({ '@odata.id': '/redfish/v1/Systems' });
    expect((await get('/redfish/v1/Systems'))['Members']).toEqual([{ '@odata.id': SYSTEM }]);
    const system = await get(SYSTEM);
    expect(system).toMatchObject({
      '@odata.type': '#ComputerSystem.v1_27_0.ComputerSystem',
      Id: 'n1',
      Name: 'Node one',
      PowerState: 'Off',
      Status: { State: 'Enabled', Health: 'OK' },
      ProcessorSummary: { LogicalProcessorCount: 1 },
      MemorySummary: { TotalSystemMemoryGiB: 0.063 },
      Boot: {
        BootSourceOverrideEnabled: 'Disabled',
        BootSourceOverrideTarget: 'None',
        BootSourceOverrideMode: 'Legacy',
      },
    });
    expect(system['UUID']).toBe(
      [...domain.uuid]
        .map((b) => b.toString(16).padStart(2, '0'))
        .join('')
        .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
    );
    const action = (system['Actions'] as Record<string, Record<string, unknown>>)['#ComputerSystem.Reset']!;
    expect(action['target']).toBe(`${SYSTEM}/Actions/ComputerSystem.Reset`);
    expect(action['ResetType@Redfish.AllowableValues']).toEqual([
      'On',
      'ForceOff',
      'GracefulShutdown',
      'GracefulRestart',
      'ForceRestart',
      'Nmi',
      'ForceOn',
      'PushPowerButton',
    ]);
    expect(system['Links']).toEqual({
      Chassis: [{ '@odata.id': '/redfish/v1/Chassis/n1' }],
      ManagedBy: [{ '@odata.id': '/redfish/v1/Managers/n1' }],
    });
    expect((await get('/redfish/v1/Managers/n1'))['Links']).toEqual({
      ManagerForServers: [{ '@odata.id': SYSTEM }],
      ManagerForChassis: [{ '@odata.id': '/redfish/v1/Chassis/n1' }],
    });
    expect(await get('/redfish/v1/Chassis/n1')).toMatchObject({
      ChassisType: 'RackMount',
      Links: { ComputerSystems: [{ '@odata.id': SYSTEM }] },
    });
    const nics = (await get(`${SYSTEM}/EthernetInterfaces`))['Members'] as { '@odata.id': string }[];
    expect(nics).toEqual([
      { '@odata.id': `${SYSTEM}/EthernetInterfaces/${macFor('n1').replace(/:/g, '').toUpperCase()}` },
    ]);
    expect(await get(nics[0]!['@odata.id'])).toMatchObject({
      MACAddress: macFor('n1').toUpperCase(),
      Status: { State: 'Enabled' },
    });
    expect(await get(`${SYSTEM}/Processors/CPU1`)).toMatchObject({ ProcessorType: 'CPU', TotalCores: 1 });
    expect(await get(`${SYSTEM}/Memory/DIMM1`)).toMatchObject({ CapacityMiB: 64 });
    expect((await get(action['@Redfish.ActionInfo'] as string))['Parameters']).toEqual([
      expect.objectContaining({
        Name: 'ResetType',
        Required: true,
        AllowableValues: action['ResetType@Redfish.AllowableValues'],
      }),
    ]);
  });

  it('powers the domain on and off through ComputerSystem.Reset, recording request and outcome', async () => {
    const on = await post(`${SYSTEM}/Actions/ComputerSystem.Reset`, '{"ResetType": "On"}');
    expect(on.status).toBe(204);
    await powerStateBecomes('On');
    expect((await libvirt.domainGetState(await libvirt.domainLookupByName(domainName))).stateName).toBe('Running');

    expect((await post(`${SYSTEM}/Actions/ComputerSystem.Reset`, '{"ResetType": "ForceOff"}')).status).toBe(204);
    await powerStateBecomes('Off');
    const types = queryHistory(emulator.store.db, { streamId: SYSTEM }).map((e) => `${e.type}:${e.meta.actor}`);
    expect(types).toEqual(
      expect.arrayContaining([
        'ResetRequested:user:admin',
        'ResetApplied:reconciler',
        'PowerStateObserved:libvirt-observer',
      ]),
    );
  });

  it('follows the domain when its power changes outside the emulator', async () => {
    await libvirt.domainCreate(await libvirt.domainLookupByName(domainName));
    await powerStateBecomes('On');
    await libvirt.domainDestroy(await libvirt.domainLookupByName(domainName));
    await powerStateBecomes('Off');
  });

  it('shows a reset libvirt failed as a condition on the system, until a reset succeeds', async () => {
    await powerStateBecomes('Off');
    // A disk whose file is not there: libvirt refuses to start the domain, as it would a real server with a dead disk.
    const missingFile = join(dir, 'no-such-disk.qcow2');
    const domain = await libvirt.domainLookupByName(domainName);
    const disk = diskDeviceXml({ sourceFile: missingFile, targetDev: 'vdc' });
    await libvirt.domainAttachDevice(domain, disk, DeviceModifyFlag.Config);
    try {
      expect((await post(`${SYSTEM}/Actions/ComputerSystem.Reset`, '{"ResetType": "On"}')).status).toBe(204);
      await expect
        .poll(async () => (await get(SYSTEM))['Status'], { timeout: 15_000, interval: 100 })
        .toMatchObject({ State: 'Enabled', Health: 'Warning' });
      const failed = queryHistory(emulator.store.db, { streamId: SYSTEM, types: ['ResetFailed'] }).at(-1)!;
      const system = await get(SYSTEM);
      expect(system['PowerState']).toBe('Off');
      const conditions = (system['Status'] as { Conditions: Record<string, unknown>[] }).Conditions;
      expect(conditions).toEqual([
        expect.objectContaining({
          MessageId: 'ResourceEvent.1.4.ResourceErrorsDetected',
          Severity: 'Warning',
          Timestamp: failed.recordedAt,
          MessageArgs: ['PowerState', expect.stringContaining(missingFile)],
        }),
      ]);
      expect(conditions[0]!['Message']).toContain(
        `Reset On (requested by event ${(failed.data as { requestedAt: number }).requestedAt}) failed: `,
      );
      expect(conditions[0]!['Message']).toContain(missingFile);
    } finally {
      await libvirt.domainDetachDevice(domain, disk, DeviceModifyFlag.Config);
    }
    expect((await post(`${SYSTEM}/Actions/ComputerSystem.Reset`, '{"ResetType": "On"}')).status).toBe(204);
    await powerStateBecomes('On');
    await expect
      .poll(async () => (await get(SYSTEM))['Status'], { timeout: 15_000, interval: 100 })
      .toEqual({ State: 'Enabled', Health: 'OK' });
    expect((await post(`${SYSTEM}/Actions/ComputerSystem.Reset`, '{"ResetType": "ForceOff"}')).status).toBe(204);
    await powerStateBecomes('Off');
  });

  it.each([
    [
      '{"ResetType": "Sideways"}',
      400,
      'ActionParameterValueNotInList',
      ['Sideways', 'ResetType', 'ComputerSystem.Reset'],
    ],
    ['{}', 400, 'ActionParameterMissing', ['ComputerSystem.Reset', 'ResetType']],
    ['{"ResetType": 1}', 400, 'ActionParameterValueTypeError', ['1', 'ResetType', 'ComputerSystem.Reset']],
    ['{"ResetType": "On", "Force": true}', 400, 'ActionParameterUnknown', ['ComputerSystem.Reset', 'Force']],
    ['{"ResetType": ', 400, 'MalformedJSON', []],
  ])('refuses %s with %i %s and records nothing', async (body, status, messageId, args) => {
    const before = acceptedPosition(emulator.store);
    const response = await post(`${SYSTEM}/Actions/ComputerSystem.Reset`, body);
    expect(response.status).toBe(status);
    const error = (
      (await response.json()) as { error: { '@Message.ExtendedInfo': { MessageId: string; MessageArgs: string[] }[] } }
    ).error;
    expect(error['@Message.ExtendedInfo'][0]).toMatchObject({ MessageId: `Base.1.22.${messageId}`, MessageArgs: args });
    expect(acceptedPosition(emulator.store)).toBe(before);
  });

  it('answers 404 for a reset of a system that does not exist', async () => {
    const response = await post('/redfish/v1/Systems/nope/Actions/ComputerSystem.Reset', '{"ResetType": "On"}');
    expect(response.status).toBe(404);
  });

  it('sets a one-time boot override that the next boot uses and then clears', async () => {
    await powerStateBecomes('Off');
    const persistentBootOrder = async () =>
      readDomainXml(await libvirt.domainGetXml(await libvirt.domainLookupByName(domainName), DomainXmlFlag.Inactive))
        .bootDevices;
    const patched = await patch(SYSTEM, {
      Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' },
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { Boot: object }).Boot).toMatchObject({
      BootSourceOverrideTarget: 'Pxe',
      BootSourceOverrideEnabled: 'Once',
    });
    await expect.poll(persistentBootOrder, { timeout: 10_000 }).toEqual(['network', 'hd']);

    expect((await post(`${SYSTEM}/Actions/ComputerSystem.Reset`, '{"ResetType": "On"}')).status).toBe(204);
    await powerStateBecomes('On');
    await expect
      .poll(async () => ((await get(SYSTEM))['Boot'] as Record<string, string>)['BootSourceOverrideEnabled'], {
        timeout: 10_000,
      })
      .toBe('Disabled');
    await expect.poll(persistentBootOrder, { timeout: 10_000 }).toEqual(['hd', 'network']);
    expect((await post(`${SYSTEM}/Actions/ComputerSystem.Reset`, '{"ResetType": "ForceOff"}')).status).toBe(204);
    await powerStateBecomes('Off');
  });

  it('honours If-Match: a PATCH against a stale ETag gets 412 and changes nothing', async () => {
    const current = await fetch(`${emulator.url}${SYSTEM}`, { headers: { authorization: AUTHORIZATION } });
    const etag = current.headers.get('etag')!;
    const before = acceptedPosition(emulator.store);
    const stale = await patch(SYSTEM, { Boot: { BootSourceOverrideTarget: 'Cd' } }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(acceptedPosition(emulator.store)).toBe(before);
    const fresh = await patch(
      SYSTEM,
      { Boot: { BootSourceOverrideTarget: 'Hdd', BootSourceOverrideEnabled: 'Continuous' } },
      { 'if-match': etag },
    );
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).not.toBe(etag);
    expect((await patch(SYSTEM, { Boot: { BootSourceOverrideEnabled: 'Disabled' } })).status).toBe(200);
  });

  it('keeps the AssetTag a client writes, as an event, and refuses one that is not a string', async () => {
    expect((await get(SYSTEM))['AssetTag']).toBe('');
    const tagged = await patch(SYSTEM, { AssetTag: 'rack-12-u07' });
    expect(tagged.status).toBe(200);
    expect(await tagged.json()).toMatchObject({ AssetTag: 'rack-12-u07' });
    expect(
      queryHistory(emulator.store.db, { streamId: SYSTEM, types: ['AssetTagChanged'] }).map((e) => [
        e.data,
        e.meta.actor,
      ]),
    ).toEqual([[{ assetTag: 'rack-12-u07' }, 'user:admin']]);
    const before = emulator.store.lastPosition();
    const bad = await patch(SYSTEM, { AssetTag: 12 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error['@Message.ExtendedInfo'][0].MessageId).toMatch(/PropertyValueTypeError$/);
    // Nothing of the client's was recorded but the refusals themselves, which change no resource.
    expect(
      new Set(
        emulator.store
          .readAfter(before, 100)
          .filter((e) => e.meta.actor === 'user:admin')
          .map((e) => e.type),
      ),
    ).toEqual(new Set(['RequestRefused']));
    expect((await get(SYSTEM))['AssetTag']).toBe('rack-12-u07');
  });

  it('turns the locator light on and off through LocationIndicatorActive or IndicatorLED', async () => {
    const on = await patch(SYSTEM, { LocationIndicatorActive: true });
    expect(on.status).toBe(200);
    expect(await on.json()).toMatchObject({ LocationIndicatorActive: true, IndicatorLED: 'Blinking' });
    expect(await (await patch(SYSTEM, { IndicatorLED: 'Off' })).json()).toMatchObject({
      LocationIndicatorActive: false,
      IndicatorLED: 'Off',
    });
    const bad = await patch(SYSTEM, { IndicatorLED: 'Disco', LocationIndicatorActive: 'yes' });
    expect(bad.status).toBe(400);
  });

  it('keeps BIOS settings pending until the next boot, then in effect and in the domain; ResetBios restores defaults', async () => {
    await powerStateBecomes('Off');
    const bios = `${SYSTEM}/Bios`;
    expect(await get(bios)).toMatchObject({
      Attributes: { ProcVirtualization: 'Enabled', BootRetryCount: 3 },
      '@Redfish.Settings': { SettingsObject: { '@odata.id': `${bios}/Settings` } },
    });
    const pending = await patch(`${bios}/Settings`, {
      Attributes: { ProcVirtualization: 'Disabled', BootRetryCount: 5 },
    });
    expect(pending.status).toBe(200);
    expect(((await pending.json()) as { Attributes: object }).Attributes).toEqual({
      ProcVirtualization: 'Disabled',
      BootRetryCount: 5,
    });
    expect(((await get(bios))['Attributes'] as Record<string, unknown>)['ProcVirtualization']).toBe('Enabled');

    expect((await post(`${SYSTEM}/Actions/ComputerSystem.Reset`, '{"ResetType": "On"}')).status).toBe(204);
    await expect
      .poll(async () => ((await get(bios))['Attributes'] as Record<string, unknown>)['ProcVirtualization'], {
        timeout: 15_000,
      })
      .toBe('Disabled');
    expect((await get(`${bios}/Settings`))['Attributes']).toEqual({});
    const inDomain = async () =>
      readDomainXml(await libvirt.domainGetXml(await libvirt.domainLookupByName(domainName), DomainXmlFlag.Inactive))
        .settings?.biosAttributes?.['BootRetryCount'];
    await expect.poll(inDomain, { timeout: 10_000 }).toBe(5);

    expect((await post(`${bios}/Actions/Bios.ResetBios`, '{}')).status).toBe(204);
    expect(((await get(bios))['Attributes'] as Record<string, unknown>)['BootRetryCount']).toBe(3);
    await expect.poll(inDomain, { timeout: 10_000 }).toBe(3);
    expect((await post(`${SYSTEM}/Actions/ComputerSystem.Reset`, '{"ResetType": "ForceOff"}')).status).toBe(204);
    await powerStateBecomes('Off');

    const before = acceptedPosition(emulator.store);
    const bad = await patch(`${bios}/Settings`, {
      Attributes: { ProcVirtualization: 'Sometimes', BootRetryCount: 99, Overclock: true, AssetTag: 7 },
    });
    expect(bad.status).toBe(400);
    const ids = ((await bad.json()) as { error: { '@Message.ExtendedInfo': { MessageId: string }[] } }).error[
      '@Message.ExtendedInfo'
    ].map((m) => m.MessageId.replace('Base.1.22.', ''));
    expect(ids).toEqual([
      'PropertyValueNotInList',
      'PropertyValueOutOfRange',
      'PropertyUnknown',
      'PropertyValueTypeError',
    ]);
    expect(acceptedPosition(emulator.store)).toBe(before);
  });

  it('refuses a PATCH with any bad part, naming each, and records nothing', async () => {
    const before = acceptedPosition(emulator.store);
    const response = await patch(SYSTEM, {
      Name: 'renamed',
      Frobnicate: 1,
      Boot: {
        BootSourceOverrideTarget: 'Usb',
        BootSourceOverrideEnabled: 3,
        BootSourceOverrideMode: 'UEFI',
        Extra: true,
      },
    });
    expect(response.status).toBe(400);
    const messages = (
      (await response.json()) as { error: { '@Message.ExtendedInfo': { MessageId: string; MessageArgs: string[] }[] } }
    ).error['@Message.ExtendedInfo'];
    expect(messages.map((m) => [m.MessageId.replace('Base.1.22.', ''), ...m.MessageArgs])).toEqual([
      ['PropertyNotWritable', 'Name'],
      ['PropertyUnknown', 'Frobnicate'],
      ['PropertyValueNotInList', 'Usb', 'BootSourceOverrideTarget'],
      ['PropertyValueTypeError', '3', 'BootSourceOverrideEnabled'],
      ['PropertyUnknown', 'Extra'],
    ]);
    expect(acceptedPosition(emulator.store)).toBe(before);
  });

  it('serves the BIOS attribute registry the Bios resource names, which sushy reads', async () => {
    // Bios.get_attribute_registry() also loads sushy's bundled standard registries, which
    // Debian's package leaves out; the registry file is read here the way that call reads it.
    const script = `
import json, sushy
from sushy.resources.registry import message_registry_file
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
name = c.get_system('${SYSTEM}').bios._attribute_registry
f = message_registry_file.MessageRegistryFile(c._conn, '/redfish/v1/Registries/' + name, redfish_version=c.redfish_version)
r = f.get_attribute_registry('en', None)
print(json.dumps([r.identity, [[a.name, a.attribute_type, a.default_value] for a in r.registry_entries.attributes]]))
`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const [identity, attributes] = JSON.parse(stdout) as [string, [string, string, unknown][]];
    expect(identity).toBe((await get(`${SYSTEM}/Bios`))['AttributeRegistry']);
    expect(attributes).toContainEqual(['BootRetryCount', 'Integer', 3]);
    expect(attributes.map(([name]) => name).sort()).toEqual(Object.keys(BIOS_ATTRIBUTES).sort());
  });

  it('switches the boot mode in the domain definition, and Secure Boot with it, driven by sushy', async () => {
    const firmware = async () =>
      readDomainXml(await libvirt.domainGetXml(await libvirt.domainLookupByName(domainName), DomainXmlFlag.Inactive))
        .firmware;
    const reset = (ResetType: string) => post(`${SYSTEM}/Actions/ComputerSystem.Reset`, JSON.stringify({ ResetType }));
    const before = acceptedPosition(emulator.store);
    expect((await patch(`${SYSTEM}/SecureBoot`, { SecureBootEnable: true })).status).toBe(400);
    expect((await patch(`${SYSTEM}/SecureBoot`, { SecureBootEnable: 'yes' })).status).toBe(400);
    expect((await patch(`${SYSTEM}/SecureBoot`, { SecureBootMode: 'SetupMode' })).status).toBe(400);
    expect(acceptedPosition(emulator.store)).toBe(before);
    const script = `
import sushy
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
s = c.get_system('${SYSTEM}')
s.set_system_boot_options(mode=sushy.BootSourceOverrideMode.UEFI)
s.refresh()
s.secure_boot.set_enabled(True)
sb = c.get_system('${SYSTEM}').secure_boot
print(s.boot.mode.value, sb.enabled, sb.current_boot.value)
`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe('UEFI True Disabled');
    await expect.poll(firmware, { timeout: 15_000 }).toBe('UEFI');
    // Secure Boot keeps the machine on UEFI until it is turned off.
    expect((await patch(SYSTEM, { Boot: { BootSourceOverrideMode: 'Legacy' } })).status).toBe(400);
    await reset('On');
    await powerStateBecomes('On');
    await expect
      .poll(async () => (await get(`${SYSTEM}/SecureBoot`))['SecureBootCurrentBoot'], { timeout: 15_000 })
      .toBe('Enabled');
    await reset('ForceOff');
    await powerStateBecomes('Off');
    expect((await patch(`${SYSTEM}/SecureBoot`, { SecureBootEnable: false })).status).toBe(200);
    const legacy = await patch(SYSTEM, { Boot: { BootSourceOverrideMode: 'Legacy' } });
    expect(legacy.status).toBe(200);
    expect(((await legacy.json()) as { Boot: Record<string, unknown> }).Boot).toMatchObject({
      BootSourceOverrideMode: 'Legacy',
      'BootSourceOverrideMode@Redfish.AllowableValues': ['Legacy', 'UEFI'],
    });
    await expect.poll(firmware, { timeout: 15_000 }).toBe('BIOS');
    await expect
      .poll(async () => ((await get(SYSTEM))['Boot'] as Record<string, unknown>)['BootSourceOverrideMode'], {
        timeout: 15_000,
      })
      .toBe('Legacy');
  });

  it('boots over UEFI HTTP: UefiHttp set by sushy, its HttpBootUri fetched into a drive of its own that the next boot starts from', async () => {
    const definition = async () =>
      readDomainXml(await libvirt.domainGetXml(await libvirt.domainLookupByName(domainName), DomainXmlFlag.Inactive));
    const httpBootDrive = async () => (await definition()).disks.find((d) => d.targetDev === 'sdh');
    const before = emulator.store.lastPosition();
    // A BIOS machine has no UEFI HTTP boot; a URI needs UefiHttp; a URI must be one.
    expect(
      (await patch(SYSTEM, { Boot: { BootSourceOverrideTarget: 'UefiHttp', BootSourceOverrideEnabled: 'Once' } }))
        .status,
    ).toBe(400);
    expect((await patch(SYSTEM, { Boot: { HttpBootUri: `${imageServer}/boot.iso` } })).status).toBe(400);
    expect(
      (
        await patch(SYSTEM, {
          Boot: { BootSourceOverrideMode: 'UEFI', BootSourceOverrideTarget: 'UefiHttp', HttpBootUri: 'not a url' },
        })
      ).status,
    ).toBe(400);
    // Nothing of the client's was recorded (the lab's own observations may go on meanwhile).
    // Nothing of the client's was recorded but the refusals themselves, which change no resource.
    expect(
      new Set(
        emulator.store
          .readAfter(before, 100)
          .filter((e) => e.meta.actor === 'user:admin')
          .map((e) => e.type),
      ),
    ).toEqual(new Set(['RequestRefused']));
    expect(
      ((await get(SYSTEM))['Boot'] as Record<string, unknown>)['BootSourceOverrideTarget@Redfish.AllowableValues'],
    ).toContain('UefiHttp');

    const script = `
import sushy
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
s = c.get_system('${SYSTEM}')
s.set_system_boot_options(sushy.BootSource.UEFI_HTTP, enabled=sushy.BootSourceOverrideEnabled.ONCE, mode=sushy.BootSourceOverrideMode.UEFI)
s.refresh()
print(s.boot.target.value, s.boot.enabled.value, s.boot.mode.value)
`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe('UefiHttp Once UEFI');
    const withUri = await patch(SYSTEM, { Boot: { HttpBootUri: `${imageServer}/boot.iso` } });
    expect(withUri.status).toBe(200);
    expect(((await withUri.json()) as { Boot: Record<string, unknown> }).Boot).toMatchObject({
      BootSourceOverrideTarget: 'UefiHttp',
      HttpBootUri: `${imageServer}/boot.iso`,
    });
    await expect
      .poll(async () => (await httpBootDrive())?.sourceFile, { timeout: 15_000 })
      .toBe(join(poolDir, 'rfe-httpboot-n1.iso'));
    expect(readFileSync(join(poolDir, 'rfe-httpboot-n1.iso')).equals(IMAGE)).toBe(true);
    expect(await libvirt.domainGetXml(await libvirt.domainLookupByName(domainName), DomainXmlFlag.Inactive)).toMatch(
      /<target dev='sdh' bus='sata'\/>\s*<readonly\/>\s*<boot order='1'\/>/,
    );

    // Cleared: the drive and its image go, and the usual boot order is back.
    expect((await patch(SYSTEM, { Boot: { HttpBootUri: null } })).status).toBe(200);
    await expect.poll(httpBootDrive, { timeout: 15_000 }).toBeUndefined();
    await expect.poll(() => existsSync(join(poolDir, 'rfe-httpboot-n1.iso')), { timeout: 15_000 }).toBe(false);
    expect(((await get(SYSTEM))['Boot'] as Record<string, unknown>)['HttpBootUri']).toBeNull();
    // Switching target drops the URI too.
    await patch(SYSTEM, { Boot: { HttpBootUri: `${imageServer}/boot.iso` } });
    await expect.poll(httpBootDrive, { timeout: 15_000 }).toBeDefined();
    expect(
      (
        await patch(SYSTEM, {
          Boot: {
            BootSourceOverrideTarget: 'None',
            BootSourceOverrideEnabled: 'Disabled',
            BootSourceOverrideMode: 'Legacy',
          },
        })
      ).status,
    ).toBe(200);
    await expect.poll(httpBootDrive, { timeout: 15_000 }).toBeUndefined();
    expect(((await get(SYSTEM))['Boot'] as Record<string, unknown>)['HttpBootUri']).toBeNull();
    await expect.poll(async () => (await definition()).firmware, { timeout: 15_000 }).toBe('BIOS');
  });

  it('inserts virtual media fetched from a URL into the CD-ROM drive, and ejects it', async () => {
    const media = `${MANAGER}/VirtualMedia/Cd`;
    const cdrom = async () =>
      readDomainXml(
        await libvirt.domainGetXml(await libvirt.domainLookupByName(domainName), DomainXmlFlag.Inactive),
      ).disks.find((d) => d.device === 'cdrom')?.sourceFile;
    expect(await get(`${MANAGER}/VirtualMedia`)).toMatchObject({
      Members: [{ '@odata.id': media }, { '@odata.id': `${MANAGER}/VirtualMedia/Floppy` }],
    });
    expect(await get(media)).toMatchObject({ Inserted: false, Image: null });

    const inserted = await post(
      `${media}/Actions/VirtualMedia.InsertMedia`,
      JSON.stringify({ Image: `${imageServer}/boot.iso` }),
    );
    expect(inserted.status).toBe(204);
    expect(await get(media)).toMatchObject({ Inserted: true, Image: `${imageServer}/boot.iso`, ImageName: 'boot.iso' });
    await expect.poll(cdrom, { timeout: 15_000 }).toBe(mediaFile(poolDir, 'n1', 'Cd'));
    expect(readFileSync(mediaFile(poolDir, 'n1', 'Cd')).equals(IMAGE)).toBe(true);

    expect((await post(`${media}/Actions/VirtualMedia.EjectMedia`, '{}')).status).toBe(204);
    await expect.poll(cdrom, { timeout: 15_000 }).toBeUndefined();
    await expect.poll(async () => (await get(media))['Inserted']).toBe(false);
    expect(existsSync(mediaFile(poolDir, 'n1', 'Cd'))).toBe(false);
  });

  it("shows the domain's own disks as SimpleStorage, with the capacity sushy sizes the root disk from", async () => {
    expect(await get(`${SYSTEM}/SimpleStorage`)).toMatchObject({ Members: [] });
    const pool = await libvirt.poolLookupByName(poolName);
    const volume = await libvirt.volumeCreateXml(
      pool,
      volumeXml({ name: 'root-disk.qcow2', capacityBytes: 3 * 2 ** 30 }),
    );
    const domain = await libvirt.domainLookupByName(domainName);
    const disk = diskDeviceXml({ sourceFile: await libvirt.volumeGetPath(volume), targetDev: 'vdb' });
    await libvirt.domainAttachDevice(domain, disk, DeviceModifyFlag.Config);
    try {
      await expect
        .poll(async () => (await get(SYSTEM))['SimpleStorage'], { timeout: 20_000 })
        .toEqual({ '@odata.id': `${SYSTEM}/SimpleStorage` });
      await expect
        .poll(async () => (await get(`${SYSTEM}/SimpleStorage`))['Members'], { timeout: 20_000 })
        .toEqual([{ '@odata.id': `${SYSTEM}/SimpleStorage/virtio` }]);
      expect((await get(`${SYSTEM}/SimpleStorage/virtio`))['Devices']).toEqual([
        { Name: 'vdb', Status: { State: 'Enabled', Health: 'OK' }, CapacityBytes: 3 * 2 ** 30 },
      ]);
      const script = `
import sushy
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
print(c.get_system('${SYSTEM}').simple_storage.max_size_bytes)
`;
      const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(stdout.trim()).toBe(String(3 * 2 ** 30));
    } finally {
      await libvirt.domainDetachDevice(domain, disk, DeviceModifyFlag.Config);
      await libvirt.volumeDelete(volume);
    }
    await expect.poll(async () => (await get(`${SYSTEM}/SimpleStorage`))['Members'], { timeout: 20_000 }).toEqual([]);
  });

  it('inserts a floppy image into the floppy drive with sushy, and ejects it', async () => {
    const floppy = async () =>
      readDomainXml(
        await libvirt.domainGetXml(await libvirt.domainLookupByName(domainName), DomainXmlFlag.Inactive),
      ).disks.find((d) => d.device === 'floppy')?.sourceFile;
    const script = `
import sushy
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
vm = c.get_manager('${MANAGER}').virtual_media.get_member('${MANAGER}/VirtualMedia/Floppy')
print(sorted(t.value for t in vm.media_types))
vm.insert_media('${imageServer}/boot.iso', inserted=True, write_protected=True)
`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe("['Floppy']");
    await expect.poll(floppy, { timeout: 15_000 }).toBe(mediaFile(poolDir, 'n1', 'Floppy'));
    expect(readFileSync(mediaFile(poolDir, 'n1', 'Floppy')).equals(IMAGE)).toBe(true);
    expect((await post(`${MANAGER}/VirtualMedia/Floppy/Actions/VirtualMedia.EjectMedia`, '{}')).status).toBe(204);
    await expect.poll(floppy, { timeout: 15_000 }).toBeUndefined();
  });

  it('reports an image it could not fetch on the drive, and refuses bad requests', async () => {
    const media = `${MANAGER}/VirtualMedia/Cd`;
    expect(
      (await post(`${media}/Actions/VirtualMedia.InsertMedia`, JSON.stringify({ Image: `${imageServer}/missing.iso` })))
        .status,
    ).toBe(204);
    await expect
      .poll(async () => ((await get(media))['Status'] as { Health: string })['Health'], { timeout: 15_000 })
      .toBe('Warning');
    // The reason stands on the drive, as the image server gave it.
    expect(((await get(media))['Status'] as { Conditions: { Message: string }[] }).Conditions[0]!.Message).toContain(
      `HTTP 404 Not Found from ${imageServer}/missing.iso`,
    );
    expect(await get(media)).toMatchObject({ Inserted: false, Image: null });
    const before = acceptedPosition(emulator.store);
    const codes = async (body: string, path = media) => {
      const response = await post(`${path}/Actions/VirtualMedia.InsertMedia`, body);
      const text = await response.text();
      return [
        response.status,
        text ? (JSON.parse(text) as { error: { code: string } }).error.code.replace('Base.1.22.', '') : '',
      ];
    };
    expect(await codes('{}')).toEqual([400, 'ActionParameterMissing']);
    expect(await codes('{"Image": "ftp://example/x.iso"}')).toEqual([400, 'ActionParameterValueFormatError']);
    expect(await codes('{"Image": 7}')).toEqual([400, 'ActionParameterValueTypeError']);
    expect(await codes(`{"Image": "${imageServer}/boot.iso", "Speed": 1}`)).toEqual([400, 'ActionParameterUnknown']);
    expect(await codes(`{"Image": "${imageServer}/boot.iso"}`, `${MANAGER}/VirtualMedia/Usb`)).toEqual([
      404,
      'ResourceMissingAtURI',
    ]);
    expect(acceptedPosition(emulator.store)).toBe(before);
  });

  it('is driven by the sushy client: list, read power, reset', async () => {
    const script = `
import sushy, time
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
s = c.get_system('${SYSTEM}')
print(s.identity, s.power_state.value)
print(sorted(s.ethernet_interfaces.summary.keys()))
print([m.identity for m in s.managers], [c.identity for c in s.chassis])
s.reset_system(sushy.ResetType.ON)
for _ in range(150):
    s.refresh()
    if s.power_state == sushy.PowerState.ON: break
    time.sleep(0.1)
print(s.power_state.value)
s.reset_system(sushy.ResetType.FORCE_OFF)
s.set_system_boot_options(sushy.BootSource.PXE, enabled=sushy.BootSourceOverrideEnabled.ONCE)
s.refresh()
print(s.boot.target.value, s.boot.enabled.value)
s.set_system_boot_options(sushy.BootSource.NONE, enabled=sushy.BootSourceOverrideEnabled.DISABLED)
cd = s.managers[0].virtual_media.get_member('${MANAGER}/VirtualMedia/Cd')
cd.insert_media('${imageServer}/boot.iso')
cd.refresh()
print(cd.inserted, cd.image)
cd.eject_media()
s.bios.set_attributes({'ProcTurboMode': 'Disabled'})
print(s.bios.pending_attributes)
s.bios.reset_bios()
`;
    // Asynchronously: the emulator answering sushy runs in this very process.
    const { stdout: output } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(output.trim().split('\n')).toEqual([
      'n1 Off',
      `['${macFor('n1').toUpperCase()}']`,
      "['n1'] ['n1']",
      'On',
      'Pxe Once',
      `True ${imageServer}/boot.iso`,
      "{'ProcTurboMode': 'Disabled'}",
    ]);
  });

  it("answers at its domain's UUID and name as at its id, as sushy-tools labs address it", async () => {
    const uuid = (await get(SYSTEM))['UUID'] as string;
    for (const alias of [uuid, domainName]) {
      const system = await get(`/redfish/v1/Systems/${alias}`);
      expect(system['@odata.id']).toBe(SYSTEM);
      expect(system['Id']).toBe('n1');
    }
    expect((await get(`/redfish/v1/Systems/${uuid}/Bios`))['@odata.id']).toBe(`${SYSTEM}/Bios`);
    // Mutations too: sushy, given the UUID address an Ironic node carries, sets a boot override.
    const script = `
import sushy
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
s = c.get_system('/redfish/v1/Systems/${uuid}')
s.set_system_boot_options(sushy.BootSource.PXE, enabled=sushy.BootSourceOverrideEnabled.ONCE)
s.refresh()
print(s.identity, s.boot.target.value, s.boot.enabled.value)
s.set_system_boot_options(sushy.BootSource.NONE, enabled=sushy.BootSourceOverrideEnabled.DISABLED)
`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe('n1 Pxe Once');
    const missing = await fetch(`${emulator.url}/redfish/v1/Systems/00000000-0000-0000-0000-000000000000`, {
      headers: { authorization: AUTHORIZATION },
    });
    expect(missing.status).toBe(404);
  });

  it('is driven by redfishtool: reads the system and resets it, with a session', async () => {
    const redfishtool = (...args: string[]) =>
      promisify(execFile)(
        'redfishtool',
        ['-r', new URL(emulator.url).host, '-u', 'admin', '-p', 'password', '-S', 'Never', '-A', 'Session', ...args],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
    await powerStateBecomes('Off');
    const read = JSON.parse((await redfishtool('Systems', '-I', 'n1', 'get')).stdout) as Record<string, unknown>;
    expect(read).toMatchObject({ Id: 'n1', PowerState: 'Off' });
    await redfishtool('Systems', '-I', 'n1', 'reset', 'On');
    await powerStateBecomes('On');
    await redfishtool('Systems', '-I', 'n1', 'reset', 'ForceOff');
    await powerStateBecomes('Off');
  });

  it('carries out a reset that was requested just before the emulator stopped', async () => {
    await powerStateBecomes('Off');
    await emulator.close();
    // Recorded while no reconciler runs, as if the emulator died right after acknowledging it.
    const { store } = openConfiguredStore(config);
    executeCommand(store, SYSTEM, systemDecider, { type: 'ResetSystem', resetType: 'On' }, { actor: 'redfish' });
    store.db.close();

    emulator = await startEmulator(config, { resyncIntervalMs: 1000 });
    await emulator.lab!.ready;
    await powerStateBecomes('On');
    expect(queryHistory(emulator.store.db, { streamId: SYSTEM, types: ['ResetApplied'] }).at(-1)?.data).toMatchObject({
      resetType: 'On',
    });
    expect((await post(`${SYSTEM}/Actions/ComputerSystem.Reset`, '{"ResetType": "ForceOff"}')).status).toBe(204);
    await powerStateBecomes('Off');
  });
});
