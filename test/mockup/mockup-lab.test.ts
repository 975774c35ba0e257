import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';
import { runCli } from '../support/run-cli.js';
import { acceptedPosition } from '../support/accepted-position.js';

const tempDir = useTempDirs();
const MOCKUPS = join(import.meta.dirname, '..', '..', '..', 'shared', 'redfish', 'mockups');
const RACKMOUNT = join(MOCKUPS, 'public-rackmount1');
const LOCALSTORAGE = join(MOCKUPS, 'public-localstorage');
const SYSTEM = '/redfish/v1/Systems/437XR1138R2';

const running: RunningEmulator[] = [];
afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
});

async function serve(
  mockup: string,
  dir = tempDir(),
  extra: Record<string, unknown> = {},
  overrides: Record<string, unknown> = {},
) {
  const { config } = testConfig(dir, { lab: { systems: [], mockup: { dir: mockup, ...extra } }, ...overrides });
  const emulator = await startEmulator(config);
  running.push(emulator);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      ...(body !== undefined && { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      json: text ? (JSON.parse(text) as Record<string, any>) : {},
    };
  };
  return { emulator, call, dir };
}

/** A resource as the tree has it, without the bundle's copyright notice, which is not served. */
function treeDocument(mockup: string, path: string): Record<string, unknown> {
  const { '@Redfish.Copyright': _notice, ...document } = JSON.parse(
    readFileSync(join(mockup, ...path.split('/').slice(3), 'index.json'), 'utf8'),
  ) as Record<string, unknown>;
  return document;
}

/**
 * DMTF's rackmount mockup with the BIOS attribute registry its Bios names: the registry file and
 * the MessageRegistryFile that says where it is, as a BMC publishes them.
 */
function rackmountWithBiosRegistry(): string {
  const tree = tempDir();
  cpSync(RACKMOUNT, tree, { recursive: true });
  const name = 'BiosAttributeRegistryP89.v1_0_0';
  const registries = join(tree, 'Registries');
  cpSync(
    join(import.meta.dirname, '..', 'fixtures', 'bios-attribute-registry', `${name}.json`),
    join(registries, `${name}.json`),
  );
  mkdirSync(join(registries, name));
  writeFileSync(
    join(registries, name, 'index.json'),
    JSON.stringify({
      '@odata.id': `/redfish/v1/Registries/${name}`,
      '@odata.type': '#MessageRegistryFile.v1_1_5.MessageRegistryFile',
      Id: name,
      Name: 'BIOS Attribute Registry File',
      Languages: ['en'],
      Registry: name,
      Location: [{ Language: 'en', Uri: `/redfish/v1/Registries/${name}.json` }],
    }),
  );
  const collection = JSON.parse(readFileSync(join(registries, 'index.json'), 'utf8')) as { Members: object[] };
  collection.Members.push({ '@odata.id': `/redfish/v1/Registries/${name}` });
  writeFileSync(
    join(registries, 'index.json'),
    JSON.stringify({ ...collection, 'Members@odata.count': collection.Members.length }),
  );
  return tree;
}

describe('a mockup lab', () => {
  it('serves the tree as it is, with the service-level resources it lacks added', async () => {
    const { call } = await serve(RACKMOUNT);
    const system = await call('GET', SYSTEM);
    expect(system.status).toBe(200);
    expect(system.json).toEqual(treeDocument(RACKMOUNT, SYSTEM));
    const root = (await call('GET', '/redfish/v1')).json;
    expect(root['UUID']).toBe(treeDocument(RACKMOUNT, '/redfish/v1')['UUID']);
    expect(root['SessionService']).toEqual({ '@odata.id': '/redfish/v1/SessionService' });
    expect((await call('GET', '/redfish/v1/Chassis/1U/Thermal')).status).toBe(200);
    // A registry file of the tree is served at its own name.
    expect((await call('GET', '/redfish/v1/Registries/Base.1.5.0.json')).json['@odata.type']).toMatch(
      /^#MessageRegistry\./,
    );
    expect(root['ProtocolFeaturesSupported']).toBeUndefined();
  });

  it('serves the local storage mockup, drives and volumes', async () => {
    const { call } = await serve(LOCALSTORAGE);
    const volumes = (await call('GET', `${SYSTEM}/Storage/1/Volumes`)).json;
    expect(volumes['Members@odata.count']).toBe(3);
    expect((await call('GET', `${SYSTEM}/Storage/1/Drives/32ADF365C6C1B7BD`)).json['@odata.type']).toMatch(/^#Drive\./);
  });

  it('writes what the schema lets clients write, and refuses the rest with the Base message, changing nothing', async () => {
    const { call, emulator } = await serve(RACKMOUNT);
    const before = acceptedPosition(emulator.store);
    const refused = async (body: unknown, messageId: string, path = SYSTEM) => {
      const answer = await call('PATCH', path, body);
      expect(answer.status).toBe(400);
      expect(answer.json['error']['@Message.ExtendedInfo'][0].MessageId).toBe(`Base.1.22.${messageId}`);
    };
    await refused({ PowerState: 'Off' }, 'PropertyNotWritable');
    await refused({ AssetTag: 42 }, 'PropertyValueTypeError');
    await refused({ Boot: { BootSourceOverrideEnabled: 'Sometimes' } }, 'PropertyValueNotInList');
    await refused({ NoSuchProperty: 1 }, 'PropertyUnknown');
    const action = await call('POST', `${SYSTEM}/Actions/ComputerSystem.Frobnicate`, {});
    expect(action.status).toBe(400);
    expect(action.json['error']['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.ActionNotSupported');
    const reset = await call('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'Explode' });
    expect(reset.json['error']['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.ActionParameterValueNotInList');
    expect((await call('DELETE', '/redfish/v1/Managers/BMC')).status).toBe(405);
    expect(acceptedPosition(emulator.store)).toBe(before);

    const patched = await call('PATCH', SYSTEM, {
      AssetTag: 'rack-7',
      Boot: { BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Once' },
    });
    expect(patched.status).toBe(200);
    expect(patched.json['AssetTag']).toBe('rack-7');
    expect(patched.json['Boot']).toMatchObject({
      BootSourceOverrideTarget: 'Cd',
      BootSourceOverrideEnabled: 'Once',
      BootSourceOverrideMode: 'UEFI',
    });
  });

  it('resets a system, applying the pending BIOS settings and spending a one-time boot override at the boot', async () => {
    const { call } = await serve(RACKMOUNT);
    expect((await call('PATCH', `${SYSTEM}/Bios/Settings`, { Attributes: { AdminPhone: '555-0100' } })).status).toBe(
      200,
    );
    await call('PATCH', SYSTEM, { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } });
    expect((await call('GET', `${SYSTEM}/Bios`)).json['Attributes']['AdminPhone']).not.toBe('555-0100');
    expect((await call('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' })).status).toBe(204);
    expect((await call('GET', SYSTEM)).json['PowerState']).toBe('Off');
    expect((await call('GET', `${SYSTEM}/Bios`)).json['Attributes']['AdminPhone']).not.toBe('555-0100');
    await call('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' });
    const system = (await call('GET', SYSTEM)).json;
    expect(system['PowerState']).toBe('On');
    expect(system['Boot']['BootSourceOverrideEnabled']).toBe('Disabled');
    expect((await call('GET', `${SYSTEM}/Bios`)).json['Attributes']['AdminPhone']).toBe('555-0100');
  });

  it('checks BIOS attributes against the attribute registry the tree has for its Bios, changing nothing when refused', async () => {
    const { call, emulator } = await serve(rackmountWithBiosRegistry());
    const settings = `${SYSTEM}/Bios/Settings`;
    const before = acceptedPosition(emulator.store);
    const refused = async (attributes: Record<string, unknown>, messageId: string) => {
      const answer = await call('PATCH', settings, { Attributes: attributes });
      expect(answer.status).toBe(400);
      expect(answer.json['error']['@Message.ExtendedInfo'][0]).toMatchObject({
        MessageId: `Base.1.22.${messageId}`,
        RelatedProperties: [`/Attributes/${Object.keys(attributes)[0]}`],
      });
    };
    await refused({ BootMode: 'Bios' }, 'PropertyValueNotInList');
    await refused({ ProcCoreDisable: 'two' }, 'PropertyValueTypeError');
    await refused({ ProcCoreDisable: 17 }, 'PropertyValueOutOfRange');
    await refused({ UsbControl: 'UsbDisabled' }, 'PropertyNotWritable');
    await refused({ NoSuchAttribute: 1 }, 'PropertyUnknown');
    expect(acceptedPosition(emulator.store)).toBe(before);
    const accepted = await call('PATCH', settings, { Attributes: { BootMode: 'LegacyBios', ProcCoreDisable: 4 } });
    expect(accepted.status).toBe(200);
    expect(accepted.json['Attributes']).toMatchObject({ BootMode: 'LegacyBios', ProcCoreDisable: 4 });
    // Without the registry, as DMTF ships the tree, the Bios schema is all there is to check.
    const plain = await serve(RACKMOUNT);
    expect((await plain.call('PATCH', settings, { Attributes: { BootMode: 'Bios' } })).status).toBe(200);
  });

  it('inserts and ejects virtual media, by action where the tree offers it', async () => {
    // The DMTF tree's CD offers no actions (clients PATCH Image there); a copy that does.
    const tree = join(tempDir(), 'tree');
    cpSync(LOCALSTORAGE, tree, { recursive: true });
    const cd = '/redfish/v1/Managers/BMC/VirtualMedia/CD1';
    const file = join(tree, 'Managers', 'BMC', 'VirtualMedia', 'CD1', 'index.json');
    const actions = Object.fromEntries(
      ['InsertMedia', 'EjectMedia'].map((a) => [`#VirtualMedia.${a}`, { target: `${cd}/Actions/VirtualMedia.${a}` }]),
    );
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), Actions: actions }));
    const { call } = await serve(tree);
    expect(
      (await call('POST', `${cd}/Actions/VirtualMedia.InsertMedia`, { Image: 'http://images.example/boot.iso' }))
        .status,
    ).toBe(409);
    expect((await call('POST', `${cd}/Actions/VirtualMedia.EjectMedia`, {})).status).toBe(204);
    expect((await call('GET', cd)).json).toMatchObject({ Image: null, Inserted: false, ConnectedVia: 'NotConnected' });
    expect(
      (await call('POST', `${cd}/Actions/VirtualMedia.InsertMedia`, { Image: 'http://images.example/boot.iso' }))
        .status,
    ).toBe(204);
    expect((await call('GET', cd)).json).toMatchObject({
      Image: 'http://images.example/boot.iso',
      ImageName: 'boot.iso',
      Inserted: true,
      ConnectedVia: 'URI',
    });
    // As sushy does on a drive without actions: PATCH the image.
    expect((await call('PATCH', cd, { Image: null, Inserted: false })).status).toBe(200);
  });

  it('creates and deletes members where the schema allows, keeping the collection true', async () => {
    const { call } = await serve(LOCALSTORAGE);
    const volumes = `${SYSTEM}/Storage/1/Volumes`;
    const drive = (id: string) => ({ '@odata.id': `/redfish/v1/Chassis/1U/Drives/${id}` });
    // The RAID rules: these two drives are taken whole by Volume 1, and RAID5 needs three members.
    const full = await call('POST', volumes, {
      RAIDType: 'RAID1',
      CapacityBytes: 2 ** 30,
      Links: { Drives: [drive('35D38F11ACEF7BD3'), drive('3F5A8C54207B7233')] },
    });
    expect(full.status).toBe(400);
    expect(
      (await call('POST', volumes, { RAIDType: 'RAID5', Links: { Drives: [drive('32ADF365C6C1B7BD')] } })).status,
    ).toBe(400);
    const created = await call('POST', volumes, {
      Name: 'scratch',
      RAIDType: 'RAID1',
      CapacityBytes: 2 ** 30,
      Links: { Drives: [drive('32ADF365C6C1B7BD'), drive('3D58ECBC375FD9F2')] },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${volumes}/4`);
    expect(created.json).toMatchObject({
      Id: '4',
      Name: 'scratch',
      RAIDType: 'RAID1',
      CapacityBytes: 2 ** 30,
      Status: { State: 'Enabled' },
    });
    expect((await call('GET', volumes)).json['Members@odata.count']).toBe(4);
    expect((await call('POST', volumes, { RAIDType: 'RAID7' })).status).toBe(400);
    expect((await call('DELETE', `${volumes}/4`)).status).toBe(204);
    expect((await call('GET', `${volumes}/4`)).status).toBe(404);
    expect((await call('GET', volumes)).json['Members@odata.count']).toBe(3);
  });

  it("keeps a History LogService in the tree's Manager, beside its own logs: an entry per change, none for the import", async () => {
    const { call } = await serve(RACKMOUNT);
    const services = '/redfish/v1/Managers/BMC/LogServices';
    const history = `${services}/History`;
    const members = (await call('GET', services)).json['Members'].map((m: { '@odata.id': string }) => m['@odata.id']);
    expect(members).toEqual([
      ...(treeDocument(RACKMOUNT, services)['Members'] as { '@odata.id': string }[]).map((m) => m['@odata.id']),
      history,
    ]);
    expect((await call('GET', '/redfish/v1/Managers/BMC')).json['LogServices']).toEqual({ '@odata.id': services });
    expect((await call('GET', history)).json).toMatchObject({
      Id: 'History',
      Entries: { '@odata.id': `${history}/Entries` },
    });
    expect((await call('GET', `${history}/Entries`)).json['Members']).toEqual([]);
    await call('PATCH', SYSTEM, { AssetTag: 'rack-7' });
    await call('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' });
    const entries = (await call('GET', `${history}/Entries`)).json['Members'];
    expect(
      entries.map((e: Record<string, any>) => [e['MessageId'], e['Links']['OriginOfCondition']['@odata.id']]),
    ).toEqual([
      ['ResourceEvent.1.4.PropertyValueModifiedByClient', SYSTEM],
      ['ResourceEvent.1.4.ResourcePoweringOff', SYSTEM],
      ['ResourceEvent.1.4.PropertyValueModifiedByClient', SYSTEM],
    ]);
    expect(entries[0]['Message']).toContain('AssetTag=rack-7');
    expect(entries[1]['Message']).toContain('ComputerSystem.Reset with ResetType=ForceOff');
    expect(entries[2]['Message']).toContain('PowerState=Off');
  });

  it('records every change: history names the resource, and the tree as imported is there to travel back to', async () => {
    const { call, emulator, dir } = await serve(RACKMOUNT);
    const imported = emulator.store.lastPosition();
    await call('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' });
    const history = (await call('GET', `/emulator/v1/History?resource=${encodeURIComponent(SYSTEM)}`)).json;
    const types = (history['Events'] as { Type?: string; type?: string }[]).map((e) => e.Type ?? e.type);
    expect(types).toEqual(
      expect.arrayContaining(['MockupResourceImported', 'MockupActionPerformed', 'MockupResourcePatched']),
    );
    const then = await call('GET', `/emulator/v1/AsOf?resource=${encodeURIComponent(SYSTEM)}&asOf=${imported}`);
    expect(then.json).toEqual(treeDocument(RACKMOUNT, SYSTEM));
    // A restart serves the log, not the folder again.
    await running.pop()!.close();
    const again = await serve(RACKMOUNT, dir);
    expect((await again.call('GET', SYSTEM)).json['PowerState']).toBe('Off');
    const shown = runCli(['show', SYSTEM, '--as-of', String(imported), '--config', join(dir, 'config.json')]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual(treeDocument(RACKMOUNT, SYSTEM));
  });

  it("shows the tree's recorded sessions beside real ones, read-only and no way in", async () => {
    const { call } = await serve(RACKMOUNT);
    const sessions = '/redfish/v1/SessionService/Sessions';
    const recorded = `${sessions}/1234567890ABCDEG`;
    // The tree's OutboundConnection links to its recorded session: the link resolves.
    const outbound = (await call('GET', '/redfish/v1/AccountService/OutboundConnections/1')).json;
    expect(outbound['Links']['Session']['@odata.id']).toBe(recorded);
    expect((await call('GET', recorded)).json).toEqual(treeDocument(RACKMOUNT, recorded));
    const login = await call('POST', sessions, { UserName: 'admin', Password: 'password' });
    expect(login.status).toBe(201);
    const members = (await call('GET', sessions)).json['Members'].map((m: { '@odata.id': string }) => m['@odata.id']);
    expect(members).toEqual([`${sessions}/1234567890ABCDEF`, recorded, login.json['@odata.id']]);
    // Nobody logged in here to make it: it cannot be ended, and its id opens nothing.
    const ended = await call('DELETE', recorded);
    expect(ended.status).toBe(405);
    expect(ended.json['error']['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.OperationNotAllowed');
    expect((await call('GET', recorded)).status).toBe(200);
    expect((await call('DELETE', login.json['@odata.id'])).status).toBe(204);
  });

  it('asks of each change the privilege its resource type needs: an Operator changes a system, not the manager', async () => {
    const dir = tempDir();
    const hash = bcrypt.hashSync('secret-pw', 4);
    writeFileSync(join(dir, 'htpasswd'), `${['admin', 'ops', 'monitor'].map((u) => `${u}:${hash}`).join('\n')}\n`);
    const { emulator } = await serve(
      RACKMOUNT,
      dir,
      {},
      {
        auth: { enabled: true, htpasswdFile: join(dir, 'htpasswd'), roles: { ops: 'Operator', monitor: 'ReadOnly' } },
      },
    );
    const as = async (user: string, method: string, path: string, body: unknown) => {
      const response = await fetch(`${emulator.url}${path}`, {
        method,
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Basic ${Buffer.from(`${user}:secret-pw`).toString('base64')}`,
        },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      return {
        status: response.status,
        messageId: text ? JSON.parse(text)?.error?.['@Message.ExtendedInfo']?.[0]?.MessageId : undefined,
      };
    };
    const manager = '/redfish/v1/Managers/BMC';
    const before = acceptedPosition(emulator.store);
    const insufficient = { status: 403, messageId: 'Base.1.22.InsufficientPrivilege' };
    // The Manager is ConfigureManager's, what hangs off it too; a system is ConfigureComponents'.
    expect(await as('ops', 'PATCH', manager, { DateTimeLocalOffset: '+01:00' })).toEqual(insufficient);
    expect(await as('ops', 'PATCH', `${manager}/NetworkProtocol`, { HostName: 'x' })).toEqual(insufficient);
    expect(await as('monitor', 'PATCH', SYSTEM, { AssetTag: 'A' })).toEqual(insufficient);
    expect(await as('monitor', 'POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' })).toEqual(
      insufficient,
    );
    expect(acceptedPosition(emulator.store)).toBe(before);
    expect((await as('ops', 'PATCH', SYSTEM, { AssetTag: 'A' })).status).toBe(200);
    expect((await as('ops', 'POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: 'On' })).status).toBe(204);
    expect((await as('admin', 'PATCH', manager, { DateTimeLocalOffset: '+01:00' })).status).toBe(200);
  });

  it('refuses a tree that is not one, naming the file, or serves it with its problems listed when asked', async () => {
    const tree = tempDir();
    writeFileSync(
      join(tree, 'index.json'),
      JSON.stringify({
        '@odata.id': '/redfish/v1',
        '@odata.type': '#ServiceRoot.v1_5_0.ServiceRoot',
        Id: 'Root',
        Name: 'R',
        Systems: { '@odata.id': '/redfish/v1/Systems' },
        Managers: { '@odata.id': '/redfish/v1/Managers/Nowhere' },
      }),
    );
    mkdirSync(join(tree, 'Chassis'));
    writeFileSync(join(tree, 'Chassis', 'index.json'), '{"Members": [');
    await expect(serve(tree)).rejects.toThrow(join(tree, 'Chassis', 'index.json'));
    await expect(serve(tree)).rejects.toThrow(
      /links to a resource the tree does not have: \/redfish\/v1\/Managers\/Nowhere/,
    );
    const empty = tempDir();
    await expect(serve(empty)).rejects.toThrow(join(empty, 'index.json'));
    const { call } = await serve(tree, tempDir(), { problems: 'list' });
    expect((await call('GET', '/redfish/v1')).json['Id']).toBe('Root');
  });
});
