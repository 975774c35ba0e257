import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { openEventStore } from '../../src/eventstore/open-store.js';
import { PROJECTION_VERSION, projectors } from '../../src/projections/catalog.js';
import { buildRedfishServer } from '../../src/redfish/server.js';
import { baseMessage } from '../../src/redfish/base-registry.js';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

function serverOnStore() {
  const { store } = openEventStore({ file: join(tempDir(), 'events.db'), projectors, projectionVersion: PROJECTION_VERSION });
  store.append({
    streamId: '/redfish/v1',
    expectedVersion: 0,
    events: [{ type: 'ServiceCreated', data: { uuid: '0f0e0d0c-0b0a-4909-8807-060504030201', name: 'BMC', product: 'redfish-emulator', redfishVersion: '1.20.0' } }],
  });
  const server = buildRedfishServer({ views: store.views, bodyLimitBytes: 4096, health: () => ({ lastPosition: store.lastPosition() }) });
  return { store, ...server };
}

function expectRedfishError(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, messageId: string) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['odata-version']).toBe('4.0');
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  const body = response.json() as { error: { code: string; message: string; '@Message.ExtendedInfo': { MessageId: string; Message: string }[] } };
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
      expect(response.json()).toMatchObject({ '@odata.id': '/redfish/v1', UUID: '0f0e0d0c-0b0a-4909-8807-060504030201', RedfishVersion: '1.20.0' });
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
    expect(body.error['@Message.ExtendedInfo'][0]!.Message).toBe("The resource at the URI '/redfish/v1/Nothing/Here' was not found.");
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
  });

  it('gives 400 MalformedJSON for a body that is not JSON, and changes nothing', async () => {
    const { app, store } = serverOnStore();
    const response = await app.inject({ method: 'PATCH', url: '/redfish/v1', headers: { 'content-type': 'application/json' }, payload: '{"Name": ' });
    expectRedfishError(response, 400, 'MalformedJSON');
    expect(store.lastPosition()).toBe(1);
  });

  it('gives 413 PayloadTooLarge for a body over the limit and 415 for a body that is not JSON', async () => {
    const { app } = serverOnStore();
    const big = JSON.stringify({ Name: 'x'.repeat(10_000) });
    expectRedfishError(await app.inject({ method: 'PATCH', url: '/redfish/v1', headers: { 'content-type': 'application/json' }, payload: big }), 413, 'PayloadTooLarge');
    expectRedfishError(await app.inject({ method: 'PATCH', url: '/redfish/v1', headers: { 'content-type': 'text/plain' }, payload: 'hello' }), 415, 'GeneralError');
  });

  it('gives 501 for a query parameter it does not support', async () => {
    const { app } = serverOnStore();
    const body = expectRedfishError(await app.inject({ url: '/redfish/v1?$expand=*' }), 501, 'QueryParameterUnsupported');
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
    expect(running.store.lastPosition()).toBe(1);
  });
});
