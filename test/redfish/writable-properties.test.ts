import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { CsdlProperty, CsdlType } from '../../src/csdl/csdl-model.js';
import { shippedCsdl } from '../../src/csdl/shipped-csdl.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { CLAIMED_PROPERTIES } from '../../src/redfish/claimed-properties.js';
import { REFUSALS_STREAM } from '../../src/domain/refusals/refusal-events.js';
import { configDrives, testConfig } from '../support/config.js';
import { tearDownLab, uniqueName } from '../support/libvirt.js';
import { redfishClient } from '../support/redfish-client.js';

/*
 * Every resource reachable from the service root of a libvirt lab, written as DMTF's CSDL says:
 * each writable property the emulator claims (CLAIMED_PROPERTIES) is PATCHed to a new value,
 * which the next GET shows and an event records; every read-only property the document shows
 * is refused with PropertyNotWritable and changes nothing; a resource that takes no PATCH
 * answers 405.
 */

type Json = Record<string, any>;

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-writable-'));
const domainName = uniqueName('writable');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/w1';
const ACCOUNTS = '/redfish/v1/AccountService/Accounts';
let emulator: RunningEmulator;
let libvirt: LibvirtClient;
const { request, get } = redfishClient(() => emulator.url);

/** Documents not walked into: not Redfish resources, or a stream. */
const NOT_WALKED = [/\/\$metadata$/, /\/odata$/, /\/JsonSchemas/, /\/SSE$/, /\/TaskMonitors?\//];
/** Members of a collection walked: log entries and tasks grow with every request. */
const MEMBERS_WALKED = 3;

/** A resource the test signs in with, or that the lab's configuration owns: only read-only checks. */
const LEAVE_ALONE: Record<string, string> = {
  [`${ACCOUNTS}/admin`]: 'the account this test signs in with (its role and state come from the configuration)',
};

/** Claimed properties this walk does not write, each with where it is tested. */
const NOT_WRITTEN_HERE: Record<string, string> = {
  'VirtualMedia/Image': 'an insert the reconciler fetches: test/redfish/systems.test.ts, virtual-media-tls.test.ts',
  'VirtualMedia/Inserted': 'an insert or an eject: test/redfish/systems.test.ts',
  'VirtualMedia/WriteProtected': 'rides with Image: test/redfish/systems.test.ts',
  'VirtualMedia/TransferProtocolType': 'rides with Image: test/redfish/systems.test.ts',
  'VirtualMedia/TransferMethod': 'rides with Image: test/redfish/systems.test.ts',
  'VirtualMedia/UserName': 'rides with Image: test/redfish/virtual-media-tls.test.ts',
  'VirtualMedia/Password': 'rides with Image: test/redfish/virtual-media-tls.test.ts',
  'ManagerAccount/UserName': "an account's Id: only its own value, which changes nothing (accounts.test.ts)",
  'ManagerAccount/Locked': 'false only, an unlock of a locked account: test/redfish/accounts.test.ts',
  'ManagerAccount/AccountTypes': "['Redfish'] only, as it is: test/redfish/accounts.test.ts",
};

/** A value for a claimed property where the schema's type alone would not give a good one. */
const SAMPLES: Record<string, (current: any) => { body: Json; shown: unknown }> = {
  'ComputerSystem/IndicatorLED': (current) => {
    const value = current === 'Blinking' ? 'Lit' : 'Blinking';
    return { body: { IndicatorLED: value }, shown: value };
  },
  // Kept with the UefiHttp target only.
  'ComputerSystem/Boot/HttpBootUri': () => ({
    body: { Boot: { BootSourceOverrideTarget: 'UefiHttp', HttpBootUri: 'http://192.0.2.7/boot.efi' } },
    shown: 'http://192.0.2.7/boot.efi',
  }),
  'Bios/Attributes': () => ({ body: { Attributes: { AssetTag: 'walked' } }, shown: { AssetTag: 'walked' } }),
  // Never shown: the event records that it changed.
  'ManagerAccount/Password': () => ({ body: { Password: 'walker-password-2' }, shown: null }),
  'ManagerAccount/RoleId': (current) => {
    const value = current === 'Operator' ? 'ReadOnly' : 'Operator';
    return { body: { RoleId: value }, shown: value };
  },
};

/** The newest event a client's request caused (the lab's own observations go on meanwhile). */
const clientPosition = (): number =>
  (emulator.store.db
    .prepare("SELECT max(position) FROM events WHERE stream_id <> ? AND json_extract(meta, '$.actor') = 'user:admin'")
    .pluck()
    .get(REFUSALS_STREAM) as number | null) ?? 0;

const typeName = (doc: Json) => String(doc['@odata.type']).split('.').pop()!;

function at(doc: Json | undefined, path: readonly string[]): any {
  return path.reduce<any>((value, name) => value?.[name], doc);
}

function nested(path: readonly string[], value: unknown): Json {
  return path.reduceRight<any>((inner, name) => ({ [name]: inner }), value) as Json;
}

/** The CSDL property at a path of a resource type. */
function propertyAt(odataType: string, path: readonly string[]): CsdlProperty | undefined {
  let properties = shippedCsdl().entityType(odataType)?.properties;
  let property: CsdlProperty | undefined;
  for (const name of path) {
    property = properties?.get(name);
    const type: CsdlType | undefined = property?.type;
    properties = type?.kind === 'complex' ? type.properties : undefined;
  }
  return property;
}

let written = 0;
/** A new value for a claimed property, by its schema type: another boolean, enum member, number or text. */
function sampleFor(doc: Json, claim: string): { body: Json; shown: unknown } {
  const key = `${typeName(doc)}/${claim}`;
  const path = claim.split('/');
  const current = at(doc, path);
  const sample = SAMPLES[key];
  if (sample) return sample(current);
  const property = propertyAt(doc['@odata.type'], path);
  const type = property?.type;
  let value: unknown;
  if (type?.kind === 'enum') {
    const parent = at(doc, path.slice(0, -1));
    const allowed = (parent?.[`${path.at(-1)}@Redfish.AllowableValues`] as string[] | undefined) ?? type.members;
    value = allowed.find((v) => v !== current);
  } else if (type?.name === 'Edm.Boolean') value = !current;
  else if (type?.name === 'Edm.String') value = `walked-${++written}`;
  else if (type?.kind === 'primitive') value = (typeof current === 'number' ? current : 0) + 1;
  expect(value, `a value for ${key}`).toBeDefined();
  return { body: nested(path, value), shown: value };
}

/** Every resource reachable from the service root, breadth first, each once. */
async function walk(): Promise<{ path: string; doc: Json; allow: string }[]> {
  const seen = new Set<string>(['/redfish/v1']);
  const queue = ['/redfish/v1'];
  const found: { path: string; doc: Json; allow: string }[] = [];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const response = await request('GET', path);
    if (response.status !== 200 || !(response.headers.get('content-type') ?? '').includes('json')) continue;
    const doc = (await response.json()) as Json;
    if (typeof doc['@odata.type'] !== 'string') continue;
    found.push({ path, doc, allow: response.headers.get('allow') ?? '' });
    const links: string[] = [];
    const collect = (value: unknown, key: string) => {
      if (Array.isArray(value)) {
        const items = key === 'Members' ? value.slice(0, MEMBERS_WALKED) : value;
        for (const item of items) collect(item, key);
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (k === '@odata.id' && typeof v === 'string') links.push(v);
          else collect(v, k);
        }
      }
    };
    for (const [k, v] of Object.entries(doc)) if (k !== '@odata.id') collect(v, k);
    for (const link of links) {
      if (!link.startsWith('/redfish/v1/') || link.includes('#') || link.includes('?')) continue;
      if (NOT_WALKED.some((p) => p.test(link)) || seen.has(link)) continue;
      seen.add(link);
      queue.push(link);
    }
  }
  return found;
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  const config = testConfig(dir, {
    auth: { enabled: true },
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: join(dir, 'pool') } },
    lab: {
      createMissingDomains: true,
      systems: [
        {
          id: 'w1',
          name: 'Walked node',
          domain: domainName,
          vcpus: 1,
          memoryMiB: 64,
          firmware: 'BIOS',
          storage: [
            {
              id: 'RAID',
              name: 'RAID controller',
              drives: configDrives(2, 1024 ** 3),
            },
          ],
        },
      ],
    },
  }).config;
  libvirt = await LibvirtClient.connect('qemu:///system');
  emulator = await startEmulator(config, { resyncIntervalMs: 500, settleWaitMs: 60_000 });
  await emulator.lab!.ready;
  // A volume, an account and a subscription, so that their types are walked too.
  const volume = await request('POST', `${SYSTEM}/Storage/RAID/Volumes`, {
    RAIDType: 'RAID0',
    Links: { Drives: [{ '@odata.id': `${SYSTEM}/Storage/RAID/Drives/0` }] },
  });
  expect(volume.status).toBe(201);
  const account = await request('POST', ACCOUNTS, {
    UserName: 'walker',
    Password: 'walker-password-1',
    RoleId: 'ReadOnly',
  });
  expect(account.status).toBe(201);
  const subscription = await request('POST', '/redfish/v1/EventService/Subscriptions', {
    Destination: 'http://127.0.0.1:9/events',
    Protocol: 'Redfish',
  });
  expect(subscription.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await tearDownLab({ emulator, libvirt, domainName, poolName, dir });
});

describe('Writable properties as the CSDL says, on every served resource', { timeout: 300_000 }, () => {
  it('writes each claimed property, refuses each read-only one, and takes no PATCH where none is served', async () => {
    const resources = await walk();
    const types = new Set(resources.map((r) => typeName(r.doc)));
    // The walk reaches the lab: a system, its storage and volume, accounts, subscriptions.
    for (const type of [
      'ComputerSystem',
      'Chassis',
      'Manager',
      'Drive',
      'Volume',
      'ManagerAccount',
      'EventDestination',
    ])
      expect(types, type).toContain(type);
    const claimedTypes = new Set<string>();

    for (const { path, doc, allow } of resources) {
      const type = typeName(doc);
      const claims: readonly string[] | undefined = CLAIMED_PROPERTIES[type as keyof typeof CLAIMED_PROPERTIES];
      // Writes to a resource with a settings object go to that object (DSP0266's settings pattern).
      if (doc['@Redfish.Settings']) continue;
      if (!allow.split(', ').includes('PATCH')) {
        const before = clientPosition();
        const response = await request('PATCH', path, { Id: doc['Id'] ?? 'x' });
        expect(response.status, `PATCH ${path}`).toBe(405);
        expect(clientPosition(), path).toBe(before);
        continue;
      }
      expect(claims, `${type} takes PATCH at ${path} but claims no property`).toBeDefined();
      claimedTypes.add(type);

      // Every read-only property the document shows, in one body: each refused, nothing changed.
      const entity = shippedCsdl().entityType(doc['@odata.type'])!;
      const readOnly = Object.keys(doc).filter((name) => {
        const property = entity.properties.get(name);
        return property && property.type.kind !== 'complex' && (property.navigation || property.permission === 'Read');
      });
      expect(readOnly.length, `${path} shows read-only properties`).toBeGreaterThan(0);
      const before = clientPosition();
      const refused = await request('PATCH', path, Object.fromEntries(readOnly.map((name) => [name, doc[name]])));
      const refusal = (await refused.json()) as Json;
      expect(refused.status, `${path}: ${JSON.stringify(refusal)}`).toBe(400);
      const notWritable = (refusal['error']['@Message.ExtendedInfo'] as Json[])
        .filter((m) => String(m['MessageId']).endsWith('.PropertyNotWritable'))
        .map((m) => m['RelatedProperties'][0]);
      expect(notWritable.sort(), path).toEqual(readOnly.map((name) => `/${name}`).sort());
      expect(clientPosition(), path).toBe(before);

      if (LEAVE_ALONE[path]) continue;
      for (const claim of claims!) {
        if (NOT_WRITTEN_HERE[`${type}/${claim}`]) continue;
        const { body, shown } = sampleFor(await get(path), claim);
        const position = clientPosition();
        const response = await request('PATCH', path, body);
        const answer = await response.text();
        expect([200, 204], `PATCH ${path} ${JSON.stringify(body)}: ${answer}`).toContain(response.status);
        expect(at(await get(path), claim.split('/')), `${path} ${claim} on the next GET`).toEqual(shown);
        expect(clientPosition(), `${path} ${claim} recorded`).toBeGreaterThan(position);
      }
    }
    expect([...claimedTypes].sort()).toEqual(Object.keys(CLAIMED_PROPERTIES).sort());
  });
});
