import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseXml } from '../../src/xml.js';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { rawExchange } from '../support/raw-http.js';

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-protocol-'));
let emulator: RunningEmulator;
const AUTH = { authorization: `Basic ${Buffer.from('admin:password').toString('base64')}` };

beforeAll(async () => {
  emulator = await startEmulator(testConfig(dir, { auth: { enabled: true } }).config);
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${emulator.url}${path}`, { headers });

describe('OData documents and protocol rules', () => {
  it('serves $metadata without credentials, as XML referencing the schemas in use and the service container', async () => {
    const response = await get('/redfish/v1/$metadata');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const edmx = parseXml(await response.text())['edmx:Edmx']!;
    const references = (edmx['edmx:Reference'] as { $: { Uri: string } }[]).map((r) => r.$.Uri);
    expect(references).toContain('http://redfish.dmtf.org/schemas/v1/ServiceRoot_v1.xml');
    expect(references).toContain('http://redfish.dmtf.org/schemas/v1/ComputerSystem_v1.xml');
    expect(JSON.stringify(edmx['edmx:DataServices'])).toContain('"Extends":"ServiceRoot.v1_20_0.ServiceContainer"');
  });

  it('serves the OData service document without credentials, listing what the root links', async () => {
    const document = (await (await get('/redfish/v1/odata')).json()) as {
      '@odata.context': string;
      value: { name: string; url: string }[];
    };
    expect(document['@odata.context']).toBe('/redfish/v1/$metadata');
    expect(document.value).toContainEqual({ name: 'Service', kind: 'Singleton', url: '/redfish/v1/' });
    expect(document.value).toContainEqual({
      name: 'SessionService',
      kind: 'Singleton',
      url: '/redfish/v1/SessionService',
    });
  });

  it("names each resource's JSON Schema in a Link header and gives route-served resources an ETag", async () => {
    expect((await get('/redfish/v1/')).headers.get('link')).toBe(
      '<http://redfish.dmtf.org/schemas/v1/ServiceRoot.v1_20_0.json>; rel=describedby',
    );
    const account = await get('/redfish/v1/AccountService/Accounts/admin', AUTH);
    expect(account.headers.get('link')).toBe(
      '<http://redfish.dmtf.org/schemas/v1/ManagerAccount.v1_14_1.json>; rel=describedby',
    );
    const etag = account.headers.get('etag');
    expect(etag).toMatch(/^W\/".+"$/);
    expect((await get('/redfish/v1/AccountService/Accounts/admin', AUTH)).headers.get('etag')).toBe(etag);
  });

  it('refuses an OData-Version it does not speak with 412', async () => {
    const response = await get('/redfish/v1/', { 'OData-Version': '4.1' });
    expect(response.status).toBe(412);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('Base.1.22.HeaderInvalid');
    expect((await get('/redfish/v1/', { 'OData-Version': '4.0' })).status).toBe(200);
  });

  it('answers a method HTTP does not know with 405 and an Allow header, not a bare 400', async () => {
    const raw = await rawExchange(emulator.url, 'FAKEMETHOD /redfish/v1/ HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1.1 405 Method Not Allowed\r\n/);
    expect(raw).toContain('Allow: GET, HEAD\r\n');
    expect(raw).toContain('"code":"Base.1.22.OperationNotAllowed"');
  });

  it('presents the accounts file in the AccountService with the three standard roles, keeping a configured role', async () => {
    const roles = (await (await get('/redfish/v1/AccountService/Roles', AUTH)).json()) as {
      Members: { '@odata.id': string }[];
    };
    expect(roles.Members.map((m) => m['@odata.id'].split('/').pop())).toEqual([
      'Administrator',
      'Operator',
      'ReadOnly',
    ]);
    const account = (await (await get('/redfish/v1/AccountService/Accounts/admin', AUTH)).json()) as Record<
      string,
      unknown
    >;
    expect(account).toMatchObject({ UserName: 'admin', RoleId: 'Administrator', Password: null });
    const patch = (body: unknown) =>
      fetch(`${emulator.url}/redfish/v1/AccountService/Accounts/admin`, {
        method: 'PATCH',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await patch({})).status).toBe(200);
    const demote = await patch({ RoleId: 'ReadOnly' });
    expect(demote.status).toBe(400);
    expect(((await demote.json()) as { error: { code: string } }).error.code).toBe('Base.1.22.PropertyNotWritable');
  });

  it('serves the Base message registry its errors use, and a TaskService', async () => {
    const file = (await (await get('/redfish/v1/Registries/Base.1.22.1', AUTH)).json()) as {
      Registry: string;
      Location: { Uri: string }[];
    };
    expect(file.Registry).toBe('Base.1.22');
    const registry = (await (await get(file.Location[0]!.Uri, AUTH)).json()) as {
      Id: string;
      Messages: Record<string, unknown>;
    };
    expect(registry.Id).toBe('Base.1.22.1');
    expect(Object.keys(registry.Messages)).toContain('PropertyValueNotInList');
    expect(await (await get('/redfish/v1/TaskService', AUTH)).json()).toMatchObject({
      ServiceEnabled: true,
      Tasks: { '@odata.id': '/redfish/v1/TaskService/Tasks' },
    });
  });
});
