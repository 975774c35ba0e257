import { afterEach, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import type { EmulatorConfig } from '../../src/config/config.js';
import { executeCommand } from '../../src/eventstore/execute-command.js';
import { storageDecider, type StorageCommand } from '../../src/domain/storage/storage-decider.js';
import { driveUri, storageStream } from '../../src/domain/storage/storage-events.js';
import { AnnouncementTracker } from '../../src/redfish/events/announcement-tracker.js';
import { testConfig } from '../support/config.js';
import { useTempDirs } from '../support/temp-dir.js';
import { acceptedPosition } from '../support/accepted-position.js';
import { registerStorage } from '../support/storage-registration.js';

/*
 * The EventService end to end: an emulator in this process with no lab, mutations made as the
 * storage routes make them (commands appended to the log), read back over real sockets by an
 * SSE client and by push subscribers that are local HTTP servers.
 */

const tempDir = useTempDirs();
const STORAGE = storageStream('n1', 'RAID');
const VOLUME = `${STORAGE}/Volumes/1`;
const SUBSCRIPTIONS = '/redfish/v1/EventService/Subscriptions';
const GiB = 1024 ** 3;
const running: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.close();
});

async function start(config?: EmulatorConfig): Promise<{ emulator: RunningEmulator; config: EmulatorConfig }> {
  const used = config ?? testConfig(tempDir()).config;
  const emulator = await startEmulator(used);
  running.push(emulator);
  return { emulator, config: used };
}

function storage(emulator: RunningEmulator, command: StorageCommand): void {
  const outcome = executeCommand(emulator.store, STORAGE, storageDecider, command, { actor: 'test' });
  if (!outcome.ok) throw new Error(`${command.type}: ${outcome.problem.messageId}`);
}

/** A storage with one volume made: after it, every rename is one mutation announced as one event. */
function layOut(emulator: RunningEmulator): void {
  storage(emulator, registerStorage('n1', 'RAID', 2, ['RAID1']));
  storage(emulator, {
    type: 'CreateVolume',
    taskId: 't1',
    applyTime: 'Immediate',
    request: {
      raidType: 'RAID1',
      drives: [driveUri('n1', 'RAID', '0'), driveUri('n1', 'RAID', '1')],
      capacityBytes: GiB / 4,
    },
  });
  storage(emulator, { type: 'RecordOperationOutcome', taskId: 't1' });
}

const rename = (emulator: RunningEmulator, name: string) =>
  storage(emulator, { type: 'RenameVolume', volumeId: '1', name });

async function call(emulator: RunningEmulator, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${emulator.url}${path}`, {
    method,
    ...(body !== undefined && {
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  });
}

async function get(emulator: RunningEmulator, path: string): Promise<Record<string, any>> {
  const response = await call(emulator, 'GET', path);
  expect(response.status, path).toBe(200);
  return (await response.json()) as Record<string, any>;
}

interface SseMessage {
  readonly id: string;
  readonly data: Record<string, any>;
}

/** A minimal EventSource over node:http: every message received so far, and the response. */
async function openSse(emulator: RunningEmulator, headers: Record<string, string> = {}) {
  const messages: SseMessage[] = [];
  let ended = false;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(
      `${emulator.url}/redfish/v1/EventService/SSE`,
      { headers: { accept: 'text/event-stream', ...headers } },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
  let buffer = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || line === '') continue;
        const colon = line.indexOf(':');
        fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
      }
      if (fields.has('data'))
        messages.push({ id: fields.get('id') ?? '', data: JSON.parse(fields.get('data')!) as Record<string, any> });
    }
  });
  response.on('end', () => (ended = true));
  response.on('error', () => (ended = true));
  return {
    response,
    messages,
    ended: () => ended,
    close: () => response.destroy(),
  };
}

/** The positions, after `after`, of the events that announce something: what an SSE client must get. */
function announcedPositions(emulator: RunningEmulator, after: number): string[] {
  const tracker = new AnnouncementTracker(emulator.store);
  return emulator.store
    .readAfter(after, 10_000)
    .filter((event) => tracker.announce(event).length > 0)
    .map((event) => String(event.position));
}

/** A push subscriber: a local HTTP server that records the Event payloads POSTed to it. */
async function receiver(port = 0) {
  const received: Record<string, any>[] = [];
  let server: Server | undefined;
  const listen = (on: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        req.on('end', () => {
          received.push(JSON.parse(body) as Record<string, any>);
          res.writeHead(204).end();
        });
      });
      server.on('error', reject);
      server.listen(on, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port));
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
      server = undefined;
    });
  const bound = await listen(port);
  const handle = {
    port: bound,
    received,
    url: `http://127.0.0.1:${bound}/events`,
    stop,
    restart: () => listen(bound),
    close: stop,
  };
  running.push(handle);
  return handle;
}

const names = (payloads: Record<string, any>[]) =>
  payloads.flatMap((p) => (p['Events'] as any[]).map((e) => `${e.MessageId} ${e.OriginOfCondition['@odata.id']}`));
const positions = (payloads: Record<string, any>[]) => payloads.map((p) => p['Id'] as string);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function subscribe(emulator: RunningEmulator, body: Record<string, unknown>): Promise<string> {
  const response = await call(emulator, 'POST', SUBSCRIPTIONS, { Protocol: 'Redfish', ...body });
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(201);
  return response.headers.get('location')!;
}

describe('the EventService', { timeout: 60_000 }, () => {
  it('is linked from the service root, with its SSE stream, subscriptions and the registries its events use', async () => {
    const { emulator } = await start();
    expect((await get(emulator, '/redfish/v1'))['EventService']).toEqual({ '@odata.id': '/redfish/v1/EventService' });
    expect(await get(emulator, '/redfish/v1/EventService')).toMatchObject({
      '@odata.type': '#EventService.v1_12_0.EventService',
      ServiceEnabled: true,
      ServerSentEventUri: '/redfish/v1/EventService/SSE',
      Subscriptions: { '@odata.id': SUBSCRIPTIONS },
      DeliveryRetryAttempts: 3,
      DeliveryRetryIntervalSeconds: 30,
      RegistryPrefixes: ['ResourceEvent', 'TaskEvent'],
      EventFormatTypes: ['Event'],
    });
    expect(await get(emulator, SUBSCRIPTIONS)).toMatchObject({
      '@odata.type': '#EventDestinationCollection.EventDestinationCollection',
      Members: [],
      'Members@odata.count': 0,
    });
    const registries = (await get(emulator, '/redfish/v1/Registries'))['Members'].map((m: { '@odata.id': string }) =>
      m['@odata.id'].split('/').pop(),
    );
    expect(registries).toEqual(expect.arrayContaining(['Base.1.22.1', 'ResourceEvent.1.4.3', 'TaskEvent.1.0.5']));
    for (const [id, prefix] of [
      ['ResourceEvent.1.4.3', 'ResourceEvent.1.4'],
      ['TaskEvent.1.0.5', 'TaskEvent.1.0'],
    ]) {
      const file = await get(emulator, `/redfish/v1/Registries/${id}`);
      expect(file).toMatchObject({
        Registry: prefix,
        Location: [{ Language: 'en', Uri: `/redfish/v1/Registries/${id}/${id}.json` }],
      });
      expect(await get(emulator, file['Location'][0].Uri)).toMatchObject({
        Id: id,
        '@odata.type': '#MessageRegistry.v1_7_0.MessageRegistry',
      });
    }
  });

  it('streams each mutation once, in order, as Redfish Event payloads with the log position as SSE id', async () => {
    const { emulator } = await start();
    const from = emulator.store.lastPosition();
    const sse = await openSse(emulator);
    expect(sse.response.statusCode).toBe(200);
    expect(sse.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    layOut(emulator);
    for (let i = 1; i <= 5; i += 1) rename(emulator, `name-${i}`);
    const expected = announcedPositions(emulator, from);
    expect(expected.length).toBe(8);
    await expect.poll(() => sse.messages.length).toBe(expected.length);
    await sleep(200);
    expect(sse.messages.map((m) => m.id)).toEqual(expected);
    expect(sse.messages.map((m) => m.data['Id'])).toEqual(expected);
    const [registered, requested, completed] = sse.messages.map((m) => m.data);
    expect(registered).toMatchObject({
      '@odata.type': '#Event.v1_13_0.Event',
      Name: 'Redfish Event',
      'Events@odata.count': 1,
    });
    expect(registered!['Events'][0]).toMatchObject({
      MemberId: '0',
      EventType: 'ResourceAdded',
      EventId: `${expected[0]}.0`,
      EventGroupId: Number(expected[0]),
      MessageId: 'ResourceEvent.1.4.ResourceCreated',
      Message: 'The resource was created successfully.',
      MessageArgs: [],
      MessageSeverity: 'OK',
      OriginOfCondition: { '@odata.id': STORAGE },
    });
    expect(Date.parse(registered!['Events'][0].EventTimestamp)).not.toBeNaN();
    expect(names([requested!])).toEqual([
      `ResourceEvent.1.4.ResourceCreated ${VOLUME}`,
      'ResourceEvent.1.4.ResourceCreated /redfish/v1/TaskService/Tasks/t1',
      'TaskEvent.1.0.TaskStarted /redfish/v1/TaskService/Tasks/t1',
    ]);
    expect(requested!['Events'][2]).toMatchObject({
      Message: "The task with Id 't1' has started.",
      MessageArgs: ['t1'],
    });
    expect(names([completed!])).toEqual([
      `ResourceEvent.1.4.ResourceChanged ${VOLUME}`,
      'TaskEvent.1.0.TaskCompletedOK /redfish/v1/TaskService/Tasks/t1',
    ]);
    expect(names(sse.messages.slice(3).map((m) => m.data))).toEqual(
      Array(5).fill(`ResourceEvent.1.4.ResourceChanged ${VOLUME}`),
    );
    // Each connection has its own opaque Context, the same in every payload it gets.
    expect(new Set(sse.messages.map((m) => m.data['Context'])).size).toBe(1);
    sse.close();
  });

  it('resumes exactly after the Last-Event-ID a reconnecting client sends: nothing lost, nothing twice', async () => {
    const { emulator } = await start();
    const from = emulator.store.lastPosition();
    layOut(emulator);
    const first = await openSse(emulator, { 'last-event-id': String(from) });
    await expect.poll(() => first.messages.length).toBe(3);
    rename(emulator, 'a');
    await expect.poll(() => first.messages.length).toBe(4);
    const lastSeen = first.messages.at(-1)!.id;
    first.close();
    // Mutations while the client is away.
    for (const name of ['b', 'c', 'd']) rename(emulator, name);
    const second = await openSse(emulator, { 'last-event-id': lastSeen });
    rename(emulator, 'e');
    const expected = announcedPositions(emulator, from);
    await expect.poll(() => first.messages.length + second.messages.length).toBe(expected.length);
    await sleep(200);
    expect([...first.messages, ...second.messages].map((m) => m.id)).toEqual(expected);
    expect(second.messages.map((m) => m.data['Events'][0].EventId)).toEqual(expected.slice(4).map((p) => `${p}.0`));
    second.close();

    // Without Last-Event-ID a client starts from now; a malformed one is refused.
    const fresh = await openSse(emulator);
    rename(emulator, 'f');
    await expect.poll(() => fresh.messages.map((m) => m.id)).toEqual([String(emulator.store.lastPosition())]);
    fresh.close();
    const plain = await call(emulator, 'GET', '/redfish/v1/EventService/SSE');
    expect(plain.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await plain.body?.cancel();
    const refused = await fetch(`${emulator.url}/redfish/v1/EventService/SSE`, {
      headers: { 'last-event-id': 'yesterday' },
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).error.code).toBe('Base.1.22.HeaderInvalid');
    const filtered = await fetch(`${emulator.url}/redfish/v1/EventService/SSE?$filter=MessageId%20eq%20'x'`);
    expect(filtered.status).toBe(501);
    expect(((await filtered.json()) as any).error.code).toBe('Base.1.22.QueryParameterUnsupported');
  });

  it('shows an open SSE stream as an EventDestination, removed when it closes, and closes the stream when it is deleted', async () => {
    const { emulator } = await start();
    const sse = await openSse(emulator);
    const members = async () =>
      (await get(emulator, SUBSCRIPTIONS))['Members'].map((m: { '@odata.id': string }) => m['@odata.id']) as string[];
    const [destination] = await members();
    expect(destination).toMatch(/\/Subscriptions\/SSE-[0-9a-f]+$/);
    const document = await get(emulator, destination!);
    expect(document).toMatchObject({
      '@odata.type': '#EventDestination.v1_16_0.EventDestination',
      SubscriptionType: 'SSE',
      Protocol: 'Redfish',
      Status: { State: 'Enabled' },
    });
    layOut(emulator);
    await expect.poll(() => sse.messages.length).toBe(3);
    expect(sse.messages[0]!.data['Context']).toBe(document['Context']);
    expect((await call(emulator, 'DELETE', destination!)).status).toBe(204);
    await expect.poll(() => sse.ended()).toBe(true);
    expect(await members()).toEqual([]);
    expect((await call(emulator, 'GET', destination!)).status).toBe(404);

    const other = await openSse(emulator);
    expect(await members()).toHaveLength(1);
    other.close();
    await expect.poll(members).toEqual([]);
  });

  it('delivers to a push subscriber in order, and what it missed while down once it is back within the retry window', async () => {
    const { emulator } = await start();
    layOut(emulator);
    const patched = await call(emulator, 'PATCH', '/redfish/v1/EventService', {
      DeliveryRetryAttempts: 10,
      DeliveryRetryIntervalSeconds: 1,
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ DeliveryRetryAttempts: 10, DeliveryRetryIntervalSeconds: 1 });
    const subscriber = await receiver();
    const location = await subscribe(emulator, {
      Destination: subscriber.url,
      Context: 'my lab',
      EventFormatType: 'Event',
    });
    expect(location).toBe(`${SUBSCRIPTIONS}/1`);
    const subscribedAt = emulator.store.lastPosition();
    expect(await get(emulator, location)).toMatchObject({
      Id: '1',
      Destination: subscriber.url,
      Context: 'my lab',
      Protocol: 'Redfish',
      SubscriptionType: 'RedfishEvent',
      EventFormatType: 'Event',
      DeliveryRetryPolicy: 'SuspendRetries',
      Status: { State: 'Enabled', Health: 'OK' },
    });
    rename(emulator, 'one');
    rename(emulator, 'two');
    await expect.poll(() => subscriber.received.length).toBe(2);
    expect(subscriber.received[0]).toMatchObject({
      '@odata.type': '#Event.v1_13_0.Event',
      Context: 'my lab',
      Events: [{ MessageId: 'ResourceEvent.1.4.ResourceChanged', OriginOfCondition: { '@odata.id': VOLUME } }],
    });

    await subscriber.stop();
    rename(emulator, 'three');
    rename(emulator, 'four');
    await sleep(2500); // a few refused attempts
    expect(subscriber.received).toHaveLength(2);
    await subscriber.restart();
    rename(emulator, 'five');
    const expected = announcedPositions(emulator, subscribedAt);
    await expect.poll(() => subscriber.received.length, { timeout: 10_000 }).toBe(expected.length);
    await sleep(300);
    expect(positions(subscriber.received)).toEqual(expected);
    expect((await get(emulator, location))['Status']).toEqual({ State: 'Enabled', Health: 'OK' });
  });

  it('suspends a subscription whose destination stays down past the retries, and resumes it with what was held back', async () => {
    const { emulator } = await start();
    layOut(emulator);
    await call(emulator, 'PATCH', '/redfish/v1/EventService', {
      DeliveryRetryAttempts: 1,
      DeliveryRetryIntervalSeconds: 1,
    });
    const subscriber = await receiver();
    await subscriber.stop();
    const location = await subscribe(emulator, { Destination: subscriber.url });
    const subscribedAt = emulator.store.lastPosition();
    rename(emulator, 'lost?');
    await expect
      .poll(async () => (await get(emulator, location))['Status'], { timeout: 10_000 })
      .toEqual({ State: 'Disabled', Health: 'Warning' });
    const suspended = emulator.store
      .readStream('/redfish/v1/EventService')
      .filter((e) => e.type === 'SubscriptionSuspended');
    expect(suspended).toHaveLength(1);
    expect(suspended[0]!.data).toMatchObject({ subscriptionId: '1', reason: 'DeliveryFailed' });
    expect(suspended[0]!.subject).toBe(location);
    rename(emulator, 'while suspended');

    await subscriber.restart();
    const resumed = await call(emulator, 'POST', `${location}/Actions/EventDestination.ResumeSubscription`, {});
    expect(resumed.status).toBe(204);
    const expected = announcedPositions(emulator, subscribedAt);
    await expect.poll(() => subscriber.received.length, { timeout: 10_000 }).toBe(expected.length);
    await sleep(300);
    // The event that failed, the suspension, what came while suspended, and the resumption.
    expect(positions(subscriber.received)).toEqual(expected);
    expect(names(subscriber.received).at(-1)).toBe(`ResourceEvent.1.4.ResourceChanged ${location}`);
    expect((await get(emulator, location))['Status']).toEqual({ State: 'Enabled', Health: 'OK' });

    // Suspended on request: nothing is sent until it is resumed, then what was held back is.
    expect((await call(emulator, 'POST', `${location}/Actions/EventDestination.SuspendSubscription`, {})).status).toBe(
      204,
    );
    expect((await get(emulator, location))['Status']).toEqual({ State: 'Disabled', Health: 'OK' });
    const before = subscriber.received.length;
    rename(emulator, 'held');
    await sleep(500);
    expect(subscriber.received).toHaveLength(before);
    expect(
      (
        await call(emulator, 'POST', `${location}/Actions/EventDestination.ResumeSubscription`, {
          DeliverBufferedEventDuration: 'PT1H',
        })
      ).status,
    ).toBe(204);
    await expect
      .poll(() => names(subscriber.received.slice(before)).filter((n) => n.endsWith(VOLUME)))
      .toEqual([`ResourceEvent.1.4.ResourceChanged ${VOLUME}`]);
    await sleep(300);
    expect(new Set(positions(subscriber.received)).size, 'nothing sent twice').toBe(subscriber.received.length);
  });

  it('terminates a TerminateAfterRetries subscription whose destination stays down, and records it', async () => {
    const { emulator } = await start();
    layOut(emulator);
    await call(emulator, 'PATCH', '/redfish/v1/EventService', { DeliveryRetryAttempts: 0 });
    const subscriber = await receiver();
    await subscriber.stop();
    const location = await subscribe(emulator, {
      Destination: subscriber.url,
      DeliveryRetryPolicy: 'TerminateAfterRetries',
    });
    rename(emulator, 'nobody listens');
    await expect.poll(async () => (await call(emulator, 'GET', location)).status, { timeout: 10_000 }).toBe(404);
    expect(emulator.store.readStream('/redfish/v1/EventService').map((e) => e.type)).toEqual([
      'EventServiceSettingsChanged',
      'SubscriptionCreated',
      'SubscriptionTerminated',
    ]);
    expect((await get(emulator, SUBSCRIPTIONS))['Members']).toEqual([]);
  });

  it('sends a filtered subscription only the records it asked for', async () => {
    const { emulator } = await start();
    const tasks = await receiver();
    const volume = await receiver();
    await subscribe(emulator, { Destination: tasks.url, RegistryPrefixes: ['TaskEvent'] });
    await subscribe(emulator, {
      Destination: volume.url,
      OriginResources: [{ '@odata.id': STORAGE }],
      SubordinateResources: true,
      MessageIds: ['ResourceEvent.ResourceChanged'],
    });
    layOut(emulator);
    rename(emulator, 'r');
    await expect
      .poll(() => names(tasks.received))
      .toEqual([
        'TaskEvent.1.0.TaskStarted /redfish/v1/TaskService/Tasks/t1',
        'TaskEvent.1.0.TaskCompletedOK /redfish/v1/TaskService/Tasks/t1',
      ]);
    await expect
      .poll(() => names(volume.received))
      .toEqual([`ResourceEvent.1.4.ResourceChanged ${VOLUME}`, `ResourceEvent.1.4.ResourceChanged ${VOLUME}`]);
    // Record ids are the ones an unfiltered client sees.
    expect(tasks.received[0]!['Events'][0]).toMatchObject({ MemberId: '0', EventId: `${tasks.received[0]!['Id']}.2` });
  });

  it('carries a Context a client PATCHes on every Event after the change, and records it', async () => {
    const { emulator } = await start();
    const sink = await receiver();
    const subscription = await subscribe(emulator, { Destination: sink.url, Context: 'before' });
    layOut(emulator);
    await expect.poll(() => sink.received.length).toBeGreaterThan(0);
    const patched = await call(emulator, 'PATCH', subscription, { Context: 'after' });
    expect(patched.status).toBe(200);
    expect((await get(emulator, subscription))['Context']).toBe('after');
    const before = sink.received.length;
    rename(emulator, 'r');
    await expect.poll(() => sink.received.length).toBeGreaterThan(before);
    // In log order: the Events before the change carry the old Context, the change's own and those after the new.
    const contexts = sink.received.map((p) => p['Context']);
    const changed = contexts.indexOf('after');
    expect(changed).toBeGreaterThan(0);
    expect(contexts).toEqual([...Array(changed).fill('before'), ...Array(contexts.length - changed).fill('after')]);
    const refused = await call(emulator, 'PATCH', subscription, { Destination: 'http://127.0.0.1:1/x' });
    expect(((await refused.json()) as any).error.code).toBe('Base.1.22.PropertyNotWritable');
  });

  it('keeps delivering after a restart from where it got to, without sending anything twice', async () => {
    const { emulator, config } = await start();
    layOut(emulator);
    const subscriber = await receiver();
    await subscribe(emulator, { Destination: subscriber.url });
    rename(emulator, 'before');
    await expect.poll(() => subscriber.received.length).toBe(1);
    await emulator.close();
    running.splice(running.indexOf(emulator), 1);
    const { emulator: again } = await start(config);
    rename(again, 'after');
    await expect.poll(() => subscriber.received.length).toBe(2);
    await sleep(300);
    expect(names(subscriber.received)).toEqual([
      `ResourceEvent.1.4.ResourceChanged ${VOLUME}`,
      `ResourceEvent.1.4.ResourceChanged ${VOLUME}`,
    ]);
    expect(new Set(positions(subscriber.received)).size).toBe(2);
  });

  it('refuses bad subscription bodies with 400 and the Base message, and records nothing', async () => {
    const { emulator } = await start();
    const cases: [unknown, string[]][] = [
      [{ Protocol: 'Redfish' }, ['PropertyMissing']],
      [{ Destination: 'http://127.0.0.1:9/e' }, ['PropertyMissing']],
      [{}, ['PropertyMissing', 'PropertyMissing']],
      [{ Destination: 'not a url', Protocol: 'Redfish' }, ['PropertyValueFormatError']],
      [{ Destination: 'ftp://127.0.0.1/e', Protocol: 'Redfish' }, ['PropertyValueFormatError']],
      [{ Destination: 42, Protocol: 'Redfish' }, ['PropertyValueTypeError']],
      [
        { Destination: 'https://192.168.1.50/Destination1', Protocol: 'FTP', Context: 'RPV test subscription' },
        ['PropertyValueNotInList'],
      ],
      [
        { Destination: 'http://127.0.0.1:9/e', Protocol: 'Redfish', EventFormatType: 'MetricReport' },
        ['PropertyValueNotInList'],
      ],
      [
        { Destination: 'http://127.0.0.1:9/e', Protocol: 'Redfish', SubscriptionType: 'SSE' },
        ['PropertyValueNotInList'],
      ],
      [
        { Destination: 'http://127.0.0.1:9/e', Protocol: 'Redfish', DeliveryRetryPolicy: 'Sometimes' },
        ['PropertyValueNotInList'],
      ],
      [{ Destination: 'http://127.0.0.1:9/e', Protocol: 'Redfish', Context: 7 }, ['PropertyValueTypeError']],
      [{ Destination: 'http://127.0.0.1:9/e', Protocol: 'Redfish', Context: 'x'.repeat(300) }, ['StringValueTooLong']],
      [
        { Destination: 'http://127.0.0.1:9/e', Protocol: 'Redfish', RegistryPrefixes: ['Base'] },
        ['PropertyValueNotInList'],
      ],
      [
        { Destination: 'http://127.0.0.1:9/e', Protocol: 'Redfish', MessageIds: ['ResourceEvent.NoSuchMessage'] },
        ['PropertyValueNotInList'],
      ],
      [
        { Destination: 'http://127.0.0.1:9/e', Protocol: 'Redfish', VerifyCertificate: 'yes' },
        ['PropertyValueTypeError'],
      ],
      [{ Destination: 'http://127.0.0.1:9/e', Protocol: 'Redfish', Id: '7' }, ['PropertyNotWritable']],
      [{ Destination: 'http://127.0.0.1:9/e', Protocol: 'Redfish', Colour: 'red' }, ['PropertyUnknown']],
      [[{ Destination: 'http://127.0.0.1:9/e', Protocol: 'Redfish' }], ['MalformedJSON']],
    ];
    const before = acceptedPosition(emulator.store);
    for (const [body, messageIds] of cases) {
      const response = await call(emulator, 'POST', SUBSCRIPTIONS, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = ((await response.json()) as any).error;
      expect(
        error['@Message.ExtendedInfo'].map((m: { MessageId: string }) => m.MessageId.split('.').pop()),
        JSON.stringify(body),
      ).toEqual(messageIds);
    }
    const malformed = await call(emulator, 'POST', SUBSCRIPTIONS, '{"Destination": ');
    expect(malformed.status).toBe(400);
    for (const [body, messageId] of [
      [{ DeliveryRetryAttempts: -1 }, 'PropertyValueOutOfRange'],
      [{ DeliveryRetryIntervalSeconds: 1.5 }, 'PropertyValueTypeError'],
      [{ ServerSentEventUri: '/elsewhere' }, 'PropertyNotWritable'],
      [{ Colour: 'red' }, 'PropertyUnknown'],
    ] as const) {
      const response = await call(emulator, 'PATCH', '/redfish/v1/EventService', body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error.code).toBe(`Base.1.22.${messageId}`);
    }
    expect(acceptedPosition(emulator.store)).toBe(before);
    expect((await get(emulator, SUBSCRIPTIONS))['Members']).toEqual([]);
    expect((await call(emulator, 'DELETE', `${SUBSCRIPTIONS}/99`)).status).toBe(404);
    expect((await call(emulator, 'PUT', SUBSCRIPTIONS, {})).status).toBe(405);
  });
});
