import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { openEventStore } from '../../src/views/open-store.js';
import { PROJECTION_VERSION, projectors } from '../../src/projections/catalog.js';
import { buildRedfishServer } from '../../src/redfish/server.js';
import { baseMessage } from '../../src/registries/base-registry.js';
import { RedfishHttpError } from '../../src/redfish/redfish-error.js';
import { problem } from '../../src/domain/problem.js';
import { parseStringPromise } from 'xml2js';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

function serverOnStore() {
  const { store } = openEventStore({
    file: join(tempDir(), 'events.db'),
    projectors,
    projectionVersion: PROJECTION_VERSION,
  });
  store.append({
    streamId: '/redfish/v1',
    expectedVersion: 0,
    events: [
      {
        type: 'ServiceCreated',
        data: {
          uuid: '0f0e0d0c-0b0a-4909-8807-060504030201',
          name: 'BMC',
          product: 'redfish-emulator',
          redfishVersion: '1.20.0',
        },
      },
    ],
  });
  const server = buildRedfishServer({
    views: store.views,
    bodyLimitBytes: 4096,
    health: () => ({ lastPosition: store.lastPosition() }),
  });
  return { store, ...server };
}

function expectRedfishError(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  messageId: string,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['odata-version']).toBe('4.0');
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  const body = response.json() as {
    error: { code: string; message: string; '@Message.ExtendedInfo': { MessageId: string; Message: string }[] };
  };
  expect(body.error.code).toBe(`Base.1.22.${messageId}`);
  expect(body.error['@Message.ExtendedInfo'][0]!.MessageId).toBe(`Base.1.22.${messageId}`);
  expect(body.error.message).toBe(body.error['@Message.ExtendedInfo'][0]!.Message);
  return body;
}

describe('the Redfish HTTP layer', () => {
  it('serves the service root from its view, with OData-Version and an ETag, with or without the slash', async () => {
    const { app } = serverOnStore();
    for (const url of ['/redfish/v1', '/redfish/v1/', '/redfish/v1?foo=bar']) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['odata-version']).toBe('4.0');
      expect(response.headers['etag']).toBe('W/"1"');
      expect(response.json()).toMatchObject({
        '@odata.id': '/redfish/v1',
        UUID: '0f0e0d0c-0b0a-4909-8807-060504030201',
        RedfishVersion: '1.20.0',
      });
    }
    expect((await app.inject({ url: '/redfish' })).json()).toEqual({ v1: '/redfish/v1/' });
  });

  it('answers 304 to If-None-Match with the current ETag, and the body once it changed', async () => {
    const { app } = serverOnStore();
    expect((await app.inject({ url: '/redfish/v1', headers: { 'if-none-match': 'W/"1"' } })).statusCode).toBe(304);
    expect((await app.inject({ url: '/redfish/v1', headers: { 'if-none-match': 'W/"7"' } })).statusCode).toBe(200);
  });

  it('gives 404 ResourceMissingAtURI for an unknown resource, whatever the method', async () => {
    const { app } = serverOnStore();
    const get = await app.inject({ url: '/redfish/v1/Nothing/Here' });
    const body = expectRedfishError(get, 404, 'ResourceMissingAtURI');
    expect(body.error['@Message.ExtendedInfo'][0]!.Message).toBe(
      "The resource at the URI '/redfish/v1/Nothing/Here' was not found.",
    );
    expectRedfishError(await app.inject({ method: 'DELETE', url: '/redfish/v1/Nothing' }), 404, 'ResourceMissingAtURI');
    const outside = await app.inject({ url: '/elsewhere' });
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toMatchObject({ error: { code: 'Base.1.22.ResourceMissingAtURI' } });
  });

  it('gives 405 with an Allow header for a method the resource does not take', async () => {
    const { app, allowedMethods } = serverOnStore();
    const response = await app.inject({ method: 'DELETE', url: '/redfish/v1' });
    expectRedfishError(response, 405, 'OperationNotAllowed');
    expect(response.headers['allow']).toBe('GET, HEAD');
    allowedMethods.declare('/redfish/v1', ['PATCH']);
    expect((await app.inject({ method: 'PUT', url: '/redfish/v1' })).headers['allow']).toBe('GET, HEAD, PATCH');
    // Methods fastify routes without a handler of ours land in the not-found handler: still 405.
    const options = await app.inject({ method: 'OPTIONS', url: '/redfish/v1/' });
    expectRedfishError(options, 405, 'OperationNotAllowed');
    expect(options.headers['allow']).toBe('GET, HEAD, PATCH');
  });

  it('knows the methods of every route added later, without being told', async () => {
    const { app } = serverOnStore();
    const reset = '/redfish/v1/Systems/:id/Actions/ComputerSystem.Reset';
    app.post(reset, async (_request, reply) => reply.status(204).send());
    app.get('/redfish/v1/SessionService/Sessions/:id', async () => ({ '@odata.type': '#Session.v1_8_0.Session' }));
    app.delete('/redfish/v1/SessionService/Sessions/:id', async (_request, reply) => reply.status(204).send());
    const patchAction = await app.inject({
      method: 'PATCH',
      url: '/redfish/v1/Systems/n1/Actions/ComputerSystem.Reset',
      payload: {},
    });
    expectRedfishError(patchAction, 405, 'OperationNotAllowed');
    // An action is only POSTed: no view, no GET route, so no GET in Allow.
    expect(patchAction.headers['allow']).toBe('POST');
    const putSession = await app.inject({
      method: 'PUT',
      url: '/redfish/v1/SessionService/Sessions/abc/',
      payload: {},
    });
    expectRedfishError(putSession, 405, 'OperationNotAllowed');
    expect(putSession.headers['allow']).toBe('GET, HEAD, DELETE');
  });

  it('gives 405, not 404, for other methods on the documents served by routes', async () => {
    const { app } = serverOnStore();
    for (const url of ['/redfish', '/redfish/', '/redfish/v1/$metadata', '/redfish/v1/odata']) {
      const response = await app.inject({ method: 'POST', url, payload: {} });
      expectRedfishError(response, 405, 'OperationNotAllowed');
      expect(response.headers['allow']).toBe('GET, HEAD');
    }
  });

  it('gives resources served by routes an ETag of their content and answers If-None-Match with 304', async () => {
    const { app } = serverOnStore();
    let name = 'first';
    app.get('/redfish/v1/AccountService', async () => ({
      '@odata.type': '#AccountService.v1_18_1.AccountService',
      Name: name,
    }));
    const first = await app.inject({ url: '/redfish/v1/AccountService' });
    const etag = first.headers['etag'] as string;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    const unchanged = await app.inject({ url: '/redfish/v1/AccountService', headers: { 'if-none-match': etag } });
    expect([unchanged.statusCode, unchanged.body]).toEqual([304, '']);
    name = 'second';
    const changed = await app.inject({ url: '/redfish/v1/AccountService', headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers['etag']).not.toBe(etag);
  });

  it('answers HEAD like GET without a body', async () => {
    const { app } = serverOnStore();
    const response = await app.inject({ method: 'HEAD', url: '/redfish/v1/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(response.headers).toMatchObject({
      etag: 'W/"1"',
      'odata-version': '4.0',
      'content-type': 'application/json; charset=utf-8',
      link: '<http://redfish.dmtf.org/schemas/v1/ServiceRoot.v1_20_0.json>; rel=describedby',
    });
    const missing = await app.inject({ method: 'HEAD', url: '/redfish/v1/Nothing' });
    expect([missing.statusCode, missing.body]).toEqual([404, '']);
  });

  it('gives 400 InvalidURI for a path that cannot be decoded', async () => {
    const { app } = serverOnStore();
    const body = expectRedfishError(await app.inject({ url: '/redfish/v1/Systems/%zz' }), 400, 'InvalidURI');
    expect(body.error['@Message.ExtendedInfo'][0]!.Message).toBe('The URI /redfish/v1/Systems/%zz was not found.');
  });

  it('gives 400 MalformedJSON for a body that is not JSON, and changes nothing', async () => {
    const { app, store } = serverOnStore();
    const response = await app.inject({
      method: 'PATCH',
      url: '/redfish/v1',
      headers: { 'content-type': 'application/json' },
      payload: '{"Name": ',
    });
    expectRedfishError(response, 400, 'MalformedJSON');
    expect(store.lastPosition()).toBe(1);
  });

  it('gives 413 PayloadTooLarge for a body over the limit', async () => {
    const { app } = serverOnStore();
    const big = JSON.stringify({ Name: 'x'.repeat(10_000) });
    expectRedfishError(
      await app.inject({
        method: 'PATCH',
        url: '/redfish/v1',
        headers: { 'content-type': 'application/json' },
        payload: big,
      }),
      413,
      'PayloadTooLarge',
    );
  });

  it('gives 415 for a body that is not JSON, naming the Content-Type or its absence', async () => {
    const { app } = serverOnStore();
    const text = expectRedfishError(
      await app.inject({
        method: 'PATCH',
        url: '/redfish/v1',
        headers: { 'content-type': 'text/plain' },
        payload: 'hello',
      }),
      415,
      'HeaderInvalid',
    );
    expect(text.error.message).toBe("Header 'Content-Type: text/plain' is invalid.");
    const none = expectRedfishError(
      await app.inject({ method: 'PATCH', url: '/redfish/v1', payload: Buffer.from('{}') }),
      415,
      'HeaderMissing',
    );
    expect(none.error.message).toBe("Required header 'Content-Type' is missing in the request.");
    const charset = await app.inject({
      method: 'PATCH',
      url: '/redfish/v1',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: '{}',
    });
    expect(charset.statusCode).toBe(405);
  });

  it('puts several messages under GeneralError, each in ExtendedInfo with its arguments', async () => {
    const { app } = serverOnStore();
    app.patch('/redfish/v1/Several', async () => {
      throw RedfishHttpError.fromProblems([
        problem(400, 'PropertyValueNotInList', ['Sideways', 'IndicatorLED'], ['/IndicatorLED']),
        problem(400, 'PropertyValueTypeError', ['7', 'AssetTag'], ['/AssetTag']),
      ]);
    });
    const response = await app.inject({ method: 'PATCH', url: '/redfish/v1/Several', payload: {} });
    expect(response.statusCode).toBe(400);
    const body = response.json() as {
      error: { code: string; message: string; '@Message.ExtendedInfo': Record<string, unknown>[] };
    };
    expect(body.error.code).toBe('Base.1.22.GeneralError');
    expect(body.error.message).toMatch(/^A general error has occurred/);
    expect(body.error['@Message.ExtendedInfo']).toEqual([
      {
        '@odata.type': '#Message.v1_3_0.Message',
        MessageId: 'Base.1.22.PropertyValueNotInList',
        Message: "The value 'Sideways' for the property IndicatorLED is not in the list of acceptable values.",
        MessageArgs: ['Sideways', 'IndicatorLED'],
        MessageSeverity: 'Warning',
        Resolution:
          'Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.',
        RelatedProperties: ['/IndicatorLED'],
      },
      expect.objectContaining({
        MessageId: 'Base.1.22.PropertyValueTypeError',
        MessageArgs: ['7', 'AssetTag'],
        RelatedProperties: ['/AssetTag'],
      }),
    ]);
  });

  it('serves $metadata as well-formed XML referencing each schema once, with the service container', async () => {
    const { app } = serverOnStore();
    const response = await app.inject({ url: '/redfish/v1/$metadata' });
    expect(response.headers['content-type']).toBe('application/xml; charset=utf-8');
    const parsed = (await parseStringPromise(response.body)) as {
      'edmx:Edmx': {
        $: { Version: string };
        'edmx:Reference': { $: { Uri: string }; 'edmx:Include': { $: { Namespace: string } }[] }[];
        'edmx:DataServices': unknown[];
      };
    };
    const edmx = parsed['edmx:Edmx'];
    expect(edmx.$.Version).toBe('4.0');
    const uris = edmx['edmx:Reference'].map((r) => r.$.Uri);
    expect(new Set(uris).size).toBe(uris.length);
    const serviceRoot = edmx['edmx:Reference'].find((r) => r.$.Uri.endsWith('/ServiceRoot_v1.xml'))!;
    expect(serviceRoot.$.Uri).toBe('http://redfish.dmtf.org/schemas/v1/ServiceRoot_v1.xml');
    expect(serviceRoot['edmx:Include'].map((i) => i.$.Namespace)).toEqual(['ServiceRoot', 'ServiceRoot.v1_20_0']);
    expect(JSON.stringify(edmx['edmx:DataServices'])).toContain('"Extends":"ServiceRoot.v1_20_0.ServiceContainer"');
  });

  it('gives 501 for a query parameter it does not support', async () => {
    const { app } = serverOnStore();
    const body = expectRedfishError(
      await app.inject({ url: '/redfish/v1?$expand=*' }),
      501,
      'QueryParameterUnsupported',
    );
    expect(body.error['@Message.ExtendedInfo'][0]!.Message).toBe("Query parameter '$expand' is not supported.");
  });

  it('hides an unexpected failure behind 500 InternalError, without a stack trace', async () => {
    const { app } = serverOnStore();
    app.get('/redfish/v1/Broken', async () => {
      throw new Error('secret internals at /some/file.ts:12');
    });
    const response = await app.inject({ url: '/redfish/v1/Broken' });
    expectRedfishError(response, 500, 'InternalError');
    expect(response.body).not.toContain('secret internals');
  });

  it('reports health outside /redfish', async () => {
    const { app } = serverOnStore();
    const response = await app.inject({ url: '/healthz' });
    expect(response.json()).toEqual({ status: 'ok', lastPosition: 1 });
    expect(response.headers['odata-version']).toBeUndefined();
  });
});

describe('the protocol layer on a listening socket', () => {
  it('answers GET, conditional GET and the error paths over real HTTP', async () => {
    const { app } = serverOnStore();
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const root = await fetch(`${base}/redfish/v1/`);
      expect(root.status).toBe(200);
      expect(root.headers.get('odata-version')).toBe('4.0');
      expect(root.headers.get('cache-control')).toBe('no-cache');
      const etag = root.headers.get('etag')!;
      expect((await fetch(`${base}/redfish/v1`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
      const deleted = await fetch(`${base}/redfish/v1`, { method: 'DELETE' });
      expect(deleted.status).toBe(405);
      expect(deleted.headers.get('allow')).toBe('GET, HEAD');
      expect(((await deleted.json()) as { error: { code: string } }).error.code).toBe('Base.1.22.OperationNotAllowed');
      const malformed = await fetch(`${base}/redfish/v1`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: '{"Name":',
      });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('Base.1.22.MalformedJSON');
      const missing = await fetch(`${base}/redfish/v1/Systems/none`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('application/json; charset=utf-8');
    } finally {
      await app.close();
    }
  });
});

describe('Base registry messages', () => {
  it('fills the arguments in and refuses unknown ids or wrong argument counts', () => {
    expect(baseMessage('PropertyValueNotInList', ['Sideways', 'ResetType'])).toMatchObject({
      MessageId: 'Base.1.22.PropertyValueNotInList',
      Message: "The value 'Sideways' for the property ResetType is not in the list of acceptable values.",
      MessageArgs: ['Sideways', 'ResetType'],
      MessageSeverity: 'Warning',
    });
    expect(() => baseMessage('NoSuchMessage')).toThrow(/no message 'NoSuchMessage'/);
    expect(() => baseMessage('PropertyValueNotInList', ['one'])).toThrow(/takes 2 arguments, got 1/);
  });
});

describe('the emulator over a real socket', () => {
  let running: RunningEmulator | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('serves HTTPS with a self-signed certificate made at the first start and kept across restarts', async () => {
    const dir = tempDir();
    const { config } = testConfig(dir, { tls: { selfSigned: true } });
    running = await startEmulator(config);
    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const cert = readFileSync(join(dir, 'data', 'tls', 'cert.pem'));
    const fetchRoot = (url: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        httpsGet(`${url}/redfish/v1/`, { ca: cert }, (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        }).on('error', reject);
      });
    expect((await fetchRoot(running.url)).status).toBe(200);
    await running.close();
    running = await startEmulator(config);
    expect(readFileSync(join(dir, 'data', 'tls', 'cert.pem')).equals(cert)).toBe(true);
    expect((await fetchRoot(running.url)).status).toBe(200);
  });

  it('creates the service identity once and keeps it across restarts of the same store', async () => {
    const { config } = testConfig(tempDir());
    running = await startEmulator(config);
    const first = (await (await fetch(`${running.url}/redfish/v1/`)).json()) as { UUID: string };
    expect(first.UUID).toMatch(/^[0-9a-f-]{36}$/);
    await running.close();

    running = await startEmulator(config);
    const response = await fetch(`${running.url}/redfish/v1`);
    expect(response.headers.get('odata-version')).toBe('4.0');
    expect(((await response.json()) as { UUID: string }).UUID).toBe(first.UUID);
    // The service and its accounts, recorded by the first start; the second records nothing.
    expect(running.store.lastPosition()).toBe(2);
  });

  it('has its Systems, Managers and Chassis before any system is registered, empty, as sushy lists them', async () => {
    const { config } = testConfig(tempDir());
    running = await startEmulator(config);
    const root = (await (await fetch(`${running.url}/redfish/v1`)).json()) as Record<string, { '@odata.id': string }>;
    for (const collection of ['Systems', 'Managers', 'Chassis']) {
      expect(root[collection]).toEqual({ '@odata.id': `/redfish/v1/${collection}` });
      const response = await fetch(`${running.url}/redfish/v1/${collection}`);
      expect(response.status, collection).toBe(200);
      expect(await response.json()).toMatchObject({ Members: [], 'Members@odata.count': 0 });
    }
    const script = `import sushy; c = sushy.Sushy('${running.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password')); print(len(c.get_system_collection().get_members()), len(c.get_manager_collection().get_members()))`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script]);
    expect(stdout.trim()).toBe('0 0');
  });
});
