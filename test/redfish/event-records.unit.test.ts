import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/eventstore/event.js';
import { storageDecider, type StorageCommand, type StorageState } from '../../src/domain/storage/storage-decider.js';
import { driveUri, storageStream, type StorageEvent } from '../../src/domain/storage/storage-events.js';
import { isProblem } from '../../src/domain/decider.js';
import { eventPayload, eventRecord } from '../../src/redfish/events/event-records.js';
import { announcementsOf, type Announcement } from '../../src/projections/event-messages.js';
import { wants } from '../../src/redfish/events/subscription-filter.js';
import { durationMs } from '../../src/redfish/events/event-service-routes.js';
import type { SubscriptionSpec } from '../../src/domain/event-service/event-service-events.js';
import { registerStorage } from '../support/storage-registration.js';

const SYSTEM = '/redfish/v1/Systems/n1';
const STORAGE = storageStream('n1', 'RAID');
const TASKS = '/redfish/v1/TaskService/Tasks';
const GiB = 1024 ** 3;

let position = 100;
function recorded(streamId: string, type: string, data: unknown = {}, streamVersion = 2): RecordedEvent {
  position += 1;
  return {
    position,
    streamId,
    streamVersion,
    subject: streamId,
    type,
    data,
    meta: {},
    recordedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** `MessageId origin` of each announcement, as short as a table row. */
const said = (announcements: readonly Announcement[]) =>
  announcements.map((a) => `${a.messageId}${a.args.length > 0 ? `(${a.args.join(',')})` : ''} ${a.origin}`);

/**
 * Runs storage commands through the decider and maps each event they give with the state
 * before it, as the tracker does over the log: what the events of those commands announce.
 */
function storageStory(commands: readonly StorageCommand[]): string[][] {
  let state: StorageState = storageDecider.initialState;
  let version = 0;
  const told: string[][] = [];
  for (const command of commands) {
    const decided = storageDecider.decide(command, state);
    if (isProblem(decided)) throw new Error(`${command.type}: ${decided.messageId}`);
    for (const event of decided as StorageEvent[]) {
      version += 1;
      told.push(said(announcementsOf(recorded(STORAGE, event.type, event.data, version), { storageBefore: state })));
      state = storageDecider.evolve(state, event);
    }
  }
  return told;
}

const register = registerStorage('n1', 'RAID', 3, ['RAID0', 'RAID1']);
const mirror = (taskId: string, applyTime: 'Immediate' | 'OnReset'): StorageCommand => ({
  type: 'CreateVolume',
  taskId,
  applyTime,
  request: {
    raidType: 'RAID1',
    drives: [driveUri('n1', 'RAID', '0'), driveUri('n1', 'RAID', '1')],
    capacityBytes: GiB / 8,
  },
});

describe('what domain events announce', () => {
  it('the service, systems, their BMCs and chassis, power, BIOS and virtual media', () => {
    expect(said(announcementsOf(recorded('/redfish/v1', 'ServiceCreated', {}, 1)))).toEqual([
      'ResourceCreated /redfish/v1',
    ]);
    const accounts = '/redfish/v1/AccountService';
    expect(
      ['AccountCreated', 'AccountPasswordChanged', 'AccountDeleted'].map((type) =>
        said(announcementsOf(recorded(accounts, type, { userName: 'ops' }))),
      ),
    ).toEqual([
      [`ResourceCreated ${accounts}/Accounts/ops`],
      [`ResourceChanged ${accounts}/Accounts/ops`],
      [`ResourceRemoved ${accounts}/Accounts/ops`],
    ]);
    expect(
      said(
        announcementsOf(
          recorded(accounts, 'AccountLockoutChanged', {
            threshold: 3,
            durationSeconds: 60,
            counterResetAfterSeconds: 60,
          }),
        ),
      ),
    ).toEqual([`ResourceChanged ${accounts}`]);
    expect(said(announcementsOf(recorded(SYSTEM, 'SystemRegistered', { systemId: 'n1' }, 1)))).toEqual([
      `ResourceCreated ${SYSTEM}`,
      'ResourceCreated /redfish/v1/Managers/n1',
      'ResourceCreated /redfish/v1/Chassis/n1',
    ]);
    expect(said(announcementsOf(recorded(SYSTEM, 'SystemRegistered', { systemId: 'n1' }, 7)))).toEqual([
      `ResourceChanged ${SYSTEM}`,
      'ResourceChanged /redfish/v1/Managers/n1',
      'ResourceChanged /redfish/v1/Chassis/n1',
    ]);
    expect(said(announcementsOf(recorded(SYSTEM, 'PowerStateObserved', { powerState: 'On' })))).toEqual([
      `ResourceChanged ${SYSTEM}`,
      `ResourcePoweredOn(${SYSTEM}) ${SYSTEM}`,
    ]);
    expect(said(announcementsOf(recorded(SYSTEM, 'PowerStateObserved', { powerState: 'Off' })))).toEqual([
      `ResourceChanged ${SYSTEM}`,
      `ResourcePoweredOff(${SYSTEM}) ${SYSTEM}`,
    ]);
    expect(said(announcementsOf(recorded(SYSTEM, 'PowerStateObserved', { powerState: 'Paused' })))).toEqual([
      `ResourceChanged ${SYSTEM}`,
    ]);
    for (const type of [
      'DomainObserved',
      'DomainMissingObserved',
      'BootOverrideChanged',
      'BootOverrideConsumed',
      'IndicatorChanged',
      'SomeNewerSystemEvent',
    ]) {
      expect(said(announcementsOf(recorded(SYSTEM, type))), type).toEqual([`ResourceChanged ${SYSTEM}`]);
    }
    expect(said(announcementsOf(recorded(SYSTEM, 'BiosSettingsRequested')))).toEqual([
      `ResourceChanged ${SYSTEM}/Bios/Settings`,
    ]);
    expect(said(announcementsOf(recorded(SYSTEM, 'BiosSettingsApplied')))).toEqual([
      `ResourceChanged ${SYSTEM}/Bios`,
      `ResourceChanged ${SYSTEM}/Bios/Settings`,
    ]);
    expect(
      said(announcementsOf(recorded(SYSTEM, 'VirtualMediaInsertRequested', { device: 'Cd', image: 'http://x/a.iso' }))),
    ).toEqual(['ResourceChanged /redfish/v1/Managers/n1/VirtualMedia/Cd']);
    expect(said(announcementsOf(recorded(SYSTEM, 'VirtualMediaEjected', { device: 'Cd' })))).toEqual([
      'ResourceChanged /redfish/v1/Managers/n1/VirtualMedia/Cd',
    ]);
  });

  it('nothing for events that change no resource, or streams it does not know', () => {
    for (const type of [
      'ResetRequested',
      'ResetApplied',
      'ResetFailed',
      'SystemBooted',
      'VirtualMediaInserted',
      'VirtualMediaEjectRequested',
    ])
      expect(announcementsOf(recorded(SYSTEM, type, { resetType: 'On', device: 'Cd' })), type).toEqual([]);
    expect(announcementsOf(recorded('/internal/whatever', 'Something'))).toEqual([]);
    expect(announcementsOf(recorded('/redfish/v1', 'SomethingElse'))).toEqual([]);
  });

  it('volumes, their tasks and drive faults, from the storage state before each event', () => {
    expect(
      storageStory([
        register,
        mirror('t1', 'Immediate'),
        { type: 'RecordOperationOutcome', taskId: 't1' },
        mirror('t2', 'OnReset'),
        { type: 'StartPendingOperations' },
        { type: 'RecordOperationOutcome', taskId: 't2', message: 'pool full' },
        { type: 'RenameVolume', volumeId: '1', name: 'boot' },
        { type: 'FailDrive', driveId: '0' },
        { type: 'ReplaceDrive', driveId: '0', serialNumber: 'NEW' },
        { type: 'RecordRebuildProgress', volumeId: '1', percent: 100 },
        { type: 'InitializeVolume', taskId: 't3', applyTime: 'OnReset', volumeId: '1', initializeType: 'Fast' },
        { type: 'DeleteVolume', taskId: 't4', applyTime: 'Immediate', volumeId: '1' },
        { type: 'RecordOperationOutcome', taskId: 't4' },
      ]),
    ).toEqual([
      [`ResourceCreated ${STORAGE}`],
      [`ResourceCreated ${STORAGE}/Volumes/1`, `ResourceCreated ${TASKS}/t1`, `TaskStarted(t1) ${TASKS}/t1`],
      [`ResourceChanged ${STORAGE}/Volumes/1`, `TaskCompletedOK(t1) ${TASKS}/t1`],
      // OnReset: the task waits, Pending, and starts at the next boot.
      [`ResourceCreated ${STORAGE}/Volumes/2`, `ResourceCreated ${TASKS}/t2`],
      [`ResourceChanged ${STORAGE}/Volumes/2`, `TaskStarted(t2) ${TASKS}/t2`],
      // A create that failed leaves no volume.
      [`ResourceRemoved ${STORAGE}/Volumes/2`, `TaskAborted(t2) ${TASKS}/t2`],
      [`ResourceChanged ${STORAGE}/Volumes/1`],
      [`ResourceChanged ${driveUri('n1', 'RAID', '0')}`, `ResourceChanged ${STORAGE}/Volumes/1`],
      [`ResourceChanged ${driveUri('n1', 'RAID', '0')}`, `ResourceChanged ${STORAGE}/Volumes/1`],
      [`ResourceChanged ${STORAGE}/Volumes/1`],
      [`ResourceChanged ${STORAGE}/Volumes/1`, `ResourceCreated ${TASKS}/t3`],
      [`ResourceChanged ${STORAGE}/Volumes/1`, `ResourceCreated ${TASKS}/t4`, `TaskStarted(t4) ${TASKS}/t4`],
      // The delete done: the volume is gone, and the initialize waiting on it ends with it.
      [`ResourceRemoved ${STORAGE}/Volumes/1`, `TaskCompletedOK(t4) ${TASKS}/t4`],
      [`TaskAborted(t3) ${TASKS}/t3`],
    ]);
  });

  it('subscriptions and the EventService settings', () => {
    const stream = '/redfish/v1/EventService';
    expect(said(announcementsOf(recorded(stream, 'SubscriptionCreated', { subscriptionId: '4' })))).toEqual([
      `ResourceCreated ${stream}/Subscriptions/4`,
    ]);
    expect(said(announcementsOf(recorded(stream, 'SubscriptionSuspended', { subscriptionId: '4' })))).toEqual([
      `ResourceChanged ${stream}/Subscriptions/4`,
    ]);
    expect(said(announcementsOf(recorded(stream, 'SubscriptionTerminated', { subscriptionId: '4' })))).toEqual([
      `ResourceRemoved ${stream}/Subscriptions/4`,
    ]);
    expect(said(announcementsOf(recorded(stream, 'EventServiceSettingsChanged', {})))).toEqual([
      `ResourceChanged ${stream}`,
    ]);
  });

  it('writes records and payloads with the registries’ messages, one EventGroupId per event', () => {
    const event = recorded(SYSTEM, 'PowerStateObserved', { powerState: 'Off' });
    const records = announcementsOf(event).map((a, i) => eventRecord(event, a, i));
    expect(eventPayload(event, records, 'ctx')).toEqual({
      '@odata.type': '#Event.v1_13_0.Event',
      Id: String(event.position),
      Name: 'Redfish Event',
      Context: 'ctx',
      'Events@odata.count': 2,
      Events: [
        {
          MemberId: '0',
          EventType: 'ResourceUpdated',
          EventId: `${event.position}.0`,
          EventTimestamp: '2026-01-01T00:00:00.000Z',
          EventGroupId: event.position,
          MessageId: 'ResourceEvent.1.4.ResourceChanged',
          Message: 'One or more resource properties have changed.',
          MessageArgs: [],
          MessageSeverity: 'OK',
          OriginOfCondition: { '@odata.id': SYSTEM },
        },
        {
          MemberId: '1',
          EventType: 'StatusChange',
          EventId: `${event.position}.1`,
          EventTimestamp: '2026-01-01T00:00:00.000Z',
          EventGroupId: event.position,
          MessageId: 'ResourceEvent.1.4.ResourcePoweredOff',
          Message: `The resource '${SYSTEM}' has powered off.`,
          MessageArgs: [SYSTEM],
          MessageSeverity: 'OK',
          OriginOfCondition: { '@odata.id': SYSTEM },
        },
      ],
    });
    expect(eventPayload(event, records, null)).not.toHaveProperty('Context');
  });
});

describe('subscription filters', () => {
  const base: SubscriptionSpec = {
    destination: 'http://x/',
    protocol: 'Redfish',
    context: null,
    eventFormatType: 'Event',
    deliveryRetryPolicy: 'SuspendRetries',
    verifyCertificate: true,
  };
  const volumeChanged = announcementsOf(recorded(STORAGE, 'VolumeRenamed', { volumeId: '1', name: 'x' }))[0]!;
  const taskStarted: Announcement = {
    registry: 'TaskEvent',
    messageId: 'TaskStarted',
    args: ['t'],
    origin: `${TASKS}/t`,
    resourceType: 'Task',
    eventType: 'StatusChange',
    to: 'both',
  };

  it('let through what every given filter names, and everything when none is given', () => {
    expect(wants(base, volumeChanged)).toBe(true);
    expect(wants({ ...base, registryPrefixes: ['TaskEvent'] }, volumeChanged)).toBe(false);
    expect(wants({ ...base, registryPrefixes: ['TaskEvent'] }, taskStarted)).toBe(true);
    for (const id of [
      'ResourceEvent.ResourceChanged',
      'ResourceEvent.1.ResourceChanged',
      'ResourceEvent.1.4.ResourceChanged',
      'ResourceEvent.1.4.3.ResourceChanged',
    ]) {
      expect(wants({ ...base, messageIds: [id] }, volumeChanged), id).toBe(true);
    }
    expect(wants({ ...base, messageIds: ['ResourceEvent.1.3.ResourceChanged'] }, volumeChanged)).toBe(false);
    expect(wants({ ...base, messageIds: ['ResourceEvent.ResourceCreated'] }, volumeChanged)).toBe(false);
    expect(wants({ ...base, resourceTypes: ['Volume'] }, volumeChanged)).toBe(true);
    expect(wants({ ...base, resourceTypes: ['Volume'] }, taskStarted)).toBe(false);
    expect(wants({ ...base, originResources: [STORAGE] }, volumeChanged)).toBe(false);
    expect(wants({ ...base, originResources: [STORAGE], subordinateResources: true }, volumeChanged)).toBe(true);
    expect(wants({ ...base, originResources: [`${STORAGE}/Volumes/1`] }, volumeChanged)).toBe(true);
    expect(wants({ ...base, eventTypes: ['StatusChange'] }, volumeChanged)).toBe(false);
    expect(wants({ ...base, eventTypes: ['StatusChange'] }, taskStarted)).toBe(true);
  });

  it('read DeliverBufferedEventDuration as ISO 8601 durations', () => {
    expect(durationMs('PT1H')).toBe(3_600_000);
    expect(durationMs('P1DT30M')).toBe(88_200_000);
    expect(durationMs('PT0.5S')).toBe(500);
    for (const bad of ['P', 'PT', '1H', 'PT1X', '']) expect(durationMs(bad), bad).toBeUndefined();
  });
});
