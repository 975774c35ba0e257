import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { executeCommand } from '../../src/eventstore/execute-command.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import type { EventMeta, NewEvent } from '../../src/eventstore/event.js';
import { projectors, PROJECTION_VERSION } from '../../src/projections/catalog.js';
import { storageDecider, type StorageCommand } from '../../src/domain/storage/storage-decider.js';
import { driveUri, storageStream } from '../../src/domain/storage/storage-events.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import { EVENT_SERVICE_STREAM } from '../../src/domain/event-service/event-service-events.js';
import { ACCOUNT_SERVICE_STREAM } from '../../src/domain/accounts/account-events.js';
import { MOCKUP_STREAM } from '../../src/mockup/mockup-events.js';
import { SERVICE_STREAM } from '../../src/domain/service/service-events.js';
import { MARKS_STREAM } from '../../src/domain/marks/marks-decider.js';
import { REFUSALS_STREAM } from '../../src/domain/refusals/refusal-events.js';
import { CERTIFICATE_SERVICE_STREAM } from '../../src/domain/certificates/certificate-events.js';
import { NOTIFICATIONS_STREAM } from '../../src/notifications/notification-events.js';
import { EVENT_TYPES } from '../../src/domain/event-types.js';
import { describedHistoryEntry } from '../../src/projections/described-history-entry.js';
import { messagesOf } from '../../src/projections/event-messages.js';
import { streamOwner } from '../../src/domain/stream-ids.js';
import { EVENT_REGISTRIES } from '../../src/registries/event-registries.js';
import { AnnouncementTracker } from '../../src/redfish/events/announcement-tracker.js';
import { eventPayload, eventRecord } from '../../src/redfish/events/event-records.js';
import { useTempDirs } from '../support/temp-dir.js';
import { registerStorage } from '../support/storage-registration.js';

/**
 * What every kind of event says, through both readers of the event → message table: the BMC's
 * LogService (its LogEntries, and the Conditions made from them), history's message of each
 * event, and the EventRecords SSE clients and subscribers receive. The snapshot holds them as
 * they were before the two mappings became one table: it must not move.
 */
const tempDir = useTempDirs();
const SYSTEM = systemStream('n1');
const STORAGE = storageStream('n1', 'RAID');
const GiB = 1024 ** 3;
/** An image server's self-signed certificate, trusted for virtual media (any valid PEM will do). */
const PEM = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBiTCCAS+gAwIBAgIUEQEp5J2aCEWb7ivEOB+uvaUfRZQwCgYIKoZIzj0EAwIw',
  'GTEXMBUGA1UEAwwOaW1hZ2VzLmV4YW1wbGUwIBcNMjYxMjAzMjEwMzI5WhgPMjEy',
  'NjExMDkyMTAzMjlaMBkxFzAVBgNVBAMMDmltYWdlcy5leGFtcGxlMFkwEwYHKoZI',
  'zj0CAQYIKoZIzj0DAQcDQgAExWB2343wpukhuLoAhcU0pvc3l/jM52i2QzWR1UNx',
  'CugvhXImvVHJnmJ7DqA7sehYZdE7LO6/DKivG5ck0NOS36NTMFEwHQYDVR0OBBYE',
  'FB89DJZEVFZSx9vHWPO9Es2VBmnjMB8GA1UdIwQYMBaAFB89DJZEVFZSx9vHWPO9',
  'Es2VBmnjMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhALHVqDBA',
  'wYyaybtZnRGhfLOMcKis+Db/OxjlwLUe/kPYAiB3YLTavJPwsFMoycZ6EBON978E',
  'Ehd5gWKd4EuXKlzCwQ==',
  '-----END CERTIFICATE-----',
].join('\n');
const BY_CLIENT: EventMeta = { actor: 'user:admin', requestId: 'req-1' };
const BY_OBSERVER: EventMeta = { actor: 'libvirt-observer' };

function openLab(): EventStore {
  let tick = 0;
  const clock = () => new Date(Date.UTC(2026, 0, 1) + (tick += 1) * 1000);
  return openEventStore({
    file: join(tempDir(), 'events.db'),
    projectors,
    projectionVersion: PROJECTION_VERSION,
    clock,
  }).store;
}

const append = (store: EventStore, streamId: string, events: readonly NewEvent[]) =>
  store.append({ streamId, expectedVersion: 'any', events });

function storage(store: EventStore, command: StorageCommand) {
  const outcome = executeCommand(store, STORAGE, storageDecider, command, BY_CLIENT);
  if (!outcome.ok) throw new Error(`${command.type}: ${outcome.problem.messageId}`);
}

const mirror = (taskId: string, applyTime: 'Immediate' | 'OnReset', first = 0): StorageCommand => ({
  type: 'CreateVolume',
  taskId,
  applyTime,
  request: {
    raidType: 'RAID1',
    drives: [driveUri('n1', 'RAID', String(first)), driveUri('n1', 'RAID', String(first + 1))],
    capacityBytes: GiB / 8,
  },
});

/** A lab's life that records every event type either mapping knows, and some neither does. */
function story(store: EventStore): void {
  const system = (type: string, data: unknown, meta = BY_CLIENT) => append(store, SYSTEM, [{ type, data, meta }]);
  append(store, SERVICE_STREAM, [{ type: 'ServiceCreated', data: { uuid: 'u' } }]);
  system('SystemRegistered', { systemId: 'n1', name: 'Node', libvirtUri: 'test:///default', domainName: 'n1' });
  system(
    'DomainObserved',
    { uuid: 'uu', vcpus: 2, memoryBytes: 2 * GiB, firmware: 'UEFI', macAddresses: ['52:54:00:00:00:01'] },
    BY_OBSERVER,
  );
  system('DomainObserved', { uuid: 'uu', vcpus: 1, memoryBytes: 2 ** 27, firmware: 'BIOS', macAddresses: [] });
  for (const powerState of ['On', 'Off', 'Paused', 'Crashed'])
    system('PowerStateObserved', { powerState }, BY_OBSERVER);
  system('DomainMissingObserved', { domainName: 'n1' }, BY_OBSERVER);
  system('DomainClaimed', { domainName: 'n1', store: 's1' });
  system('DomainClaimed', { domainName: 'n1', store: 's1', previousOwner: 's0' });
  system('DomainOwnedElsewhere', { domainName: 'n1', owner: 's9' });
  system('HostUnreachableObserved', { libvirtUri: 'qemu:///system', reason: 'refused' }, BY_OBSERVER);
  system('HostReachableObserved', { libvirtUri: 'qemu:///system' }, BY_OBSERVER);
  for (const resetType of ['On', 'ForceOn', 'ForceOff', 'GracefulShutdown', 'ForceRestart'])
    system('ResetRequested', { resetType });
  system('ResetApplied', { resetType: 'On', requestedAt: 20 });
  system('ResetFailed', { resetType: 'On', requestedAt: 20, message: 'libvirt said no' });
  system('SystemBooted', {});
  system('BootOverrideChanged', { target: 'Pxe', enabled: 'Once' });
  system('BootOverrideChanged', { target: 'UefiHttp', enabled: 'Continuous', httpBootUri: 'http://x/boot.efi' });
  system('BootOverrideConsumed', { target: 'Pxe', enabled: 'Once' });
  system('BootModeChanged', { mode: 'UEFI' });
  system('SecureBootChanged', { enabled: true });
  system('SecureBootApplied', { enabled: true });
  system('SecureBootApplied', { enabled: false });
  system('AssetTagChanged', { assetTag: 'rack-7' });
  system('IndicatorChanged', { led: 'Blinking' });
  system('BiosSettingsRequested', { attributes: { BootMode: 'Uefi', ProcTurboMode: 'Disabled', Cores: 4 } });
  system('BiosSettingsRequested', { attributes: { Long: 'x'.repeat(200) } });
  system('BiosSettingsApplied', { attributes: { BootMode: 'Uefi' } });
  system('BiosReset', {});
  system('VirtualMediaInsertRequested', { device: 'Cd', image: 'http://x/a.iso', transferProtocol: 'HTTP' });
  system('VirtualMediaDownloadProgressed', { device: 'Cd', image: 'http://x/a.iso', bytes: 3 * 1024 ** 2 });
  system('VirtualMediaDownloadProgressed', {
    device: 'Cd',
    image: 'http://x/a.iso',
    bytes: 3 * 1024 ** 2,
    totalBytes: 2 * GiB,
  });
  system('VirtualMediaInserted', { device: 'Cd', image: 'http://x/a.iso' });
  system('VirtualMediaInsertFailed', { device: 'Floppy', image: 'http://x/f.img', message: '404 Not Found' });
  system('VirtualMediaEjectRequested', { device: 'Cd' });
  system('VirtualMediaEjected', { device: 'Cd' });
  system('VirtualMediaVerificationChanged', { device: 'Cd', verify: true });
  system('VirtualMediaVerificationChanged', { device: 'Cd', verify: false });
  system('VirtualMediaCertificateAdded', { device: 'Cd', certificateId: '1', pem: PEM });
  system('VirtualMediaCertificateReplaced', { device: 'Cd', certificateId: '1', pem: PEM });
  system('VirtualMediaCertificateRemoved', { device: 'Cd', certificateId: '1' });
  system('FirmwareRegistered', {
    components: [{ id: 'BIOS', kind: 'BIOS', name: 'BIOS', version: '1.0', about: 'a', addresses: [] }],
  });
  system('FirmwareRegistered', {
    components: [{ id: 'BIOS', kind: 'BIOS', name: 'BIOS', version: '1.1', about: 'a', addresses: [] }],
  });
  system('FirmwareUpdateRequested', {
    taskId: 'fw1',
    imageUri: 'http://x/bios.bin',
    transferProtocol: 'HTTP',
    targets: ['/redfish/v1/UpdateService/FirmwareInventory/BIOS'],
  });
  system('FirmwareImageStaged', { taskId: 'fw1', version: '1.2', sizeBytes: 5 * 1024 ** 2, sha256: 'abc' });
  system('FirmwareUpdateApplied', { taskId: 'fw1', versions: { BIOS: '1.2' } });
  system('FirmwareUpdateRequested', {
    taskId: 'fw2',
    imageUri: 'http://x/bad.bin',
    transferProtocol: 'HTTP',
    targets: ['/redfish/v1/UpdateService/FirmwareInventory/BIOS'],
  });
  system('FirmwareUpdateFailed', { taskId: 'fw2', imageUri: 'http://x/bad.bin', reason: 'Fetch', message: 'gone' });
  system('SomethingNewOnASystem', { what: 'a type this build does not know' });
  system('SystemRegistered', { systemId: 'n1', name: 'Node 1', libvirtUri: 'test:///default', domainName: 'n1' });

  storage(store, registerStorage('n1', 'RAID', 4, ['RAID0', 'RAID1']));
  storage(store, mirror('t1', 'Immediate'));
  storage(store, { type: 'RecordOperationOutcome', taskId: 't1' });
  storage(store, mirror('t2', 'OnReset', 2));
  storage(store, { type: 'StartPendingOperations' });
  storage(store, { type: 'RecordOperationOutcome', taskId: 't2', message: 'pool full' });
  storage(store, { type: 'RenameVolume', volumeId: '1', name: 'boot' });
  storage(store, { type: 'FailDrive', driveId: '0' });
  storage(store, { type: 'ReplaceDrive', driveId: '0', serialNumber: 'NEW' });
  storage(store, { type: 'RecordRebuildProgress', volumeId: '1', percent: 50 });
  storage(store, { type: 'ObserveBacking', volumeId: '1', missing: 'no such volume' });
  storage(store, { type: 'ObserveBacking', volumeId: '1' });
  storage(store, {
    type: 'InitializeVolume',
    taskId: 't3',
    applyTime: 'OnReset',
    volumeId: '1',
    initializeType: 'Fast',
  });
  storage(store, mirror('t5', 'OnReset', 2));
  storage(store, { type: 'StartPendingOperations' });
  storage(store, { type: 'RecordOperationOutcome', taskId: 't5' });
  storage(store, { type: 'RecordOperationOutcome', taskId: 't3' });
  storage(store, mirror('t6', 'OnReset', 2));
  storage(store, { type: 'CancelOperation', taskId: 't6' });
  storage(store, {
    type: 'InitializeVolume',
    taskId: 't7',
    applyTime: 'OnReset',
    volumeId: '1',
    initializeType: 'Slow',
  });
  storage(store, { type: 'CancelOperation', taskId: 't7' });
  storage(store, { type: 'DeleteVolume', taskId: 't4', applyTime: 'Immediate', volumeId: '1' });
  storage(store, { type: 'RecordOperationOutcome', taskId: 't4' });
  append(store, STORAGE, [{ type: 'SomethingNewOnAStorage', data: { n: 1 } }]);

  const subscription = (type: string, data: unknown) => append(store, EVENT_SERVICE_STREAM, [{ type, data }]);
  subscription('SubscriptionCreated', {
    subscriptionId: '4',
    destination: 'http://x/',
    protocol: 'Redfish',
    context: null,
    eventFormatType: 'Event',
    deliveryRetryPolicy: 'SuspendRetries',
    verifyCertificate: true,
  });
  subscription('SubscriptionSuspended', { subscriptionId: '4', reason: 'Requested' });
  subscription('SubscriptionResumed', { subscriptionId: '4' });
  subscription('SubscriptionTerminated', { subscriptionId: '4', message: 'gone' });
  subscription('SubscriptionDeleted', { subscriptionId: '4' });
  subscription('EventServiceSettingsChanged', { deliveryRetryAttempts: 3, deliveryRetryIntervalSeconds: 30 });

  const account = (type: string, data: unknown) => append(store, ACCOUNT_SERVICE_STREAM, [{ type, data }]);
  account('AccountServiceConfigured', { accounts: { admin: 'Administrator' } });
  account('AccountCreated', { userName: 'ops', roleId: 'Operator', enabled: true });
  account('AccountChanged', { userName: 'ops', enabled: false });
  account('AccountPasswordChanged', { userName: 'ops' });
  account('AccountUnlocked', { userName: 'ops' });
  account('AccountDeleted', { userName: 'ops' });
  account('AccountLockoutChanged', { threshold: 5, durationSeconds: 60, counterResetAfterSeconds: 60 });

  const mockup = (type: string, data: unknown) => append(store, MOCKUP_STREAM, [{ type, data }]);
  const chassis = '/redfish/v1/Chassis/1';
  const sensor = `${chassis}/Sensors/1`;
  const document = (odataId: string, type: string) => ({ '@odata.id': odataId, '@odata.type': type });
  mockup('MockupResourceImported', { odataId: chassis, document: document(chassis, '#Chassis.v1_0_0.Chassis') });
  mockup('MockupResourcePatched', { odataId: chassis, resourceType: 'Chassis', changes: { AssetTag: 'x' } });
  mockup('MockupResourceCreated', {
    odataId: sensor,
    collection: `${chassis}/Sensors`,
    document: document(sensor, '#Sensor.v1_0_0.Sensor'),
  });
  mockup('MockupResourceDeleted', { odataId: sensor, resourceType: 'Sensor', removed: [sensor] });
  mockup('MockupActionPerformed', { odataId: chassis, action: 'Reset', parameters: {} });
  append(store, SERVICE_STREAM, [{ type: 'SomethingNewOnTheService', data: {} }]);
  append(store, MARKS_STREAM, [{ type: 'MarkPlaced', data: { name: 'm1' } }]);
  append(store, REFUSALS_STREAM, [{ type: 'RequestRefused', data: { method: 'PATCH', path: SYSTEM, status: 400 } }]);
  append(store, REFUSALS_STREAM, [{ type: 'RequestRefusalsDropped', data: { count: 3 } }]);
  append(store, CERTIFICATE_SERVICE_STREAM, [
    { type: 'HttpsCertificateFound', data: { certificate: PEM, fingerprint: 'f' } },
  ]);
  const attempt = { url: 'https://ipa.example/notify', changePosition: 5 };
  append(store, NOTIFICATIONS_STREAM, [
    { type: 'NotificationAttemptFailed', data: { ...attempt, attempt: 1, message: 'refused', retryInSeconds: 1 } },
    { type: 'NotificationDelivered', data: { ...attempt, attempt: 2, status: 204, system: { uuid: 'u' } } },
    { type: 'NotificationAbandoned', data: { ...attempt, changePosition: 6, attempt: 3, message: 'refused' } },
  ]);
  append(store, STORAGE, [{ type: 'DriveLocatorChanged', data: { driveId: '0', active: true }, meta: BY_CLIENT }]);
  append(store, EVENT_SERVICE_STREAM, [
    { type: 'SubscriptionContextChanged', data: { subscriptionId: '4', context: 'c' } },
  ]);
  append(store, ACCOUNT_SERVICE_STREAM, [{ type: 'SessionTimeoutChanged', data: { seconds: 600 } }]);
}

describe('the event → Redfish message table', () => {
  const lab = () => {
    const store = openLab();
    story(store);
    return store;
  };

  it('the story records every event type of this build', () => {
    const recorded = new Set(
      lab()
        .readAfter(0, 10_000)
        .map((e) => e.type),
    );
    expect(EVENT_TYPES.filter((type) => !recorded.has(type))).toEqual([]);
  });

  it('history gives each event the message of its BMC log, and subscribers the same records as before', () => {
    const store = lab();
    const events = store.readAfter(0, 10_000);
    const tracker = new AnnouncementTracker(store);
    const told = events.map((event) => {
      const records = tracker.announce(event).map((a, i) => eventRecord(event, a, i));
      return {
        event: `${event.position} ${event.type} ${event.streamId}`,
        history: describedHistoryEntry(event, store.views).message,
        payload: records.length === 0 ? null : eventPayload(event, records, 'ctx'),
      };
    });
    expect(told).toMatchSnapshot();
  });

  it('the BMC log holds the same entries, and the conditions made from them are the same', () => {
    const { db } = lab();
    const rows = db
      .prepare(
        "SELECT odata_id, body FROM views WHERE odata_id LIKE '%/LogServices/History/Entries/%' OR body LIKE '%\"Conditions\"%' ORDER BY odata_id",
      )
      .all() as { odata_id: string; body: string }[];
    expect(rows.map((row) => JSON.parse(row.body))).toMatchSnapshot();
  });

  it('gives the log one message for each event of a system or its storage, and subscribers only the registries the EventService serves', () => {
    for (const event of lab().readAfter(0, 10_000)) {
      const { messages } = messagesOf(event, {});
      const logged = messages.filter((m) => m.to !== 'subscribers');
      expect(logged.length, `${event.type} on ${event.streamId}`).toBe(streamOwner(event.streamId) ? 1 : 0);
      for (const m of messages.filter((m) => m.to !== 'log'))
        expect(Object.keys(EVENT_REGISTRIES), `${event.type}: ${m.messageId}`).toContain(m.registry);
    }
  });

  it('reads a type by its own name only, never one of an object’s inherited properties', () => {
    const event = lab()
      .readAfter(0, 10_000)
      .find((e) => e.type === 'DomainObserved')!;
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(messagesOf({ ...event, type }, {}).messages.map((m) => m.messageId)).toEqual(['ResourceChanged']);
  });
});
