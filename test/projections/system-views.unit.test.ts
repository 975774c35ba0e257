import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { executeCommand } from '../../src/eventstore/execute-command.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { projectors, PROJECTION_VERSION } from '../../src/projections/catalog.js';
import { rebuildViews } from '../../src/views/rebuild.js';
import { systemDecider, type SystemCommand } from '../../src/domain/system/system-decider.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import { virtualMediaOf } from '../../src/projections/virtual-media.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import type { SqliteDatabase } from '../../src/eventstore/database.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const SYSTEM = systemStream('n1');
const LIBVIRT_SAYS = "Cannot access storage file '/nowhere/disk.qcow2': No such file or directory";

function openLab(): EventStore {
  let tick = 0;
  const clock = () => new Date(Date.UTC(2026, 0, 1) + (tick += 1) * 1000);
  const { store } = openEventStore({
    file: join(tempDir(), 'events.db'),
    projectors,
    projectionVersion: PROJECTION_VERSION,
    clock,
  });
  system(store, {
    type: 'RegisterSystem',
    systemId: 'n1',
    name: 'Node',
    libvirtUri: 'test:///default',
    domainName: 'n1',
  });
  return store;
}

function system(store: EventStore, command: SystemCommand) {
  const outcome = executeCommand(store, SYSTEM, systemDecider, command);
  if (!outcome.ok) throw new Error(`${command.type}: ${outcome.problem.messageId}`);
}

const status = (store: EventStore) => (JSON.parse(store.views.get(SYSTEM)!.body) as Record<string, any>)['Status'];
const dump = (db: SqliteDatabase) =>
  JSON.stringify(db.prepare('SELECT odata_id, body, position FROM views ORDER BY odata_id').all());
const observeDomain: SystemCommand = {
  type: 'ObserveDomain',
  uuid: '7c4c3e0e-1d2b-4a5f-9e6d-0a1b2c3d4e5f',
  vcpus: 1,
  memoryBytes: 2 ** 27,
  firmware: 'BIOS',
  macAddresses: [],
};

describe('the ComputerSystem identity', () => {
  it('shows the configured Manufacturer, Model, SerialNumber and SKU, and follows a registration that changes them', () => {
    const store = openLab();
    const doc = () => JSON.parse(store.views.get(SYSTEM)!.body) as Record<string, any>;
    // Registered before the identity was configurable: none shown.
    expect(doc()['Manufacturer']).toBeUndefined();
    const registration = {
      type: 'RegisterSystem',
      systemId: 'n1',
      name: 'Node',
      libvirtUri: 'test:///default',
      domainName: 'n1',
    } as const;
    system(store, {
      ...registration,
      inventory: { manufacturer: 'Contoso', model: 'R1', serialNumber: 'SN1', sku: 'SKU1' },
    });
    expect(doc()).toMatchObject({ Manufacturer: 'Contoso', Model: 'R1', SerialNumber: 'SN1', SKU: 'SKU1' });
    system(store, {
      ...registration,
      inventory: { manufacturer: 'Contoso', model: 'R2', serialNumber: 'SN1', sku: 'SKU1' },
    });
    expect(doc()['Model']).toBe('R2');
  });
});

describe('the ComputerSystem Status', () => {
  it('is Starting until libvirt is seen, Enabled once it is, Absent while the domain is missing', () => {
    const store = openLab();
    expect(status(store)).toEqual({ State: 'Starting', Health: 'OK' });
    system(store, observeDomain);
    expect(status(store)).toEqual({ State: 'Enabled', Health: 'OK' });
    system(store, { type: 'ObserveDomainMissing' });
    expect(status(store)).toEqual({ State: 'Absent', Health: 'Critical' });
    system(store, observeDomain);
    expect(status(store)).toEqual({ State: 'Enabled', Health: 'OK' });
  });

  it('shows a failed reset as a Warning condition until the machine gets where the reset was to take it', () => {
    const store = openLab();
    system(store, observeDomain);
    system(store, { type: 'ObservePowerState', powerState: 'Off' });
    system(store, { type: 'ResetSystem', resetType: 'On' });
    const requestedAt = store.lastPosition();
    system(store, { type: 'RecordResetOutcome', resetType: 'On', requestedAt, message: LIBVIRT_SAYS });
    const failed = queryHistory(store.db, { streamId: SYSTEM, types: ['ResetFailed'] }).at(-1)!;
    const condition = {
      MessageId: 'ResourceEvent.1.4.ResourceErrorsDetected',
      MessageArgs: ['PowerState', LIBVIRT_SAYS],
      Message: `The resource property PowerState has detected errors of type '${LIBVIRT_SAYS}'. Reset On (requested by event ${requestedAt}) failed: ${LIBVIRT_SAYS}`,
      Severity: 'Warning',
      Timestamp: failed.recordedAt,
      Resolution: expect.stringContaining('request the reset again'),
    };
    expect(status(store)).toEqual({ State: 'Enabled', Health: 'Warning', Conditions: [condition] });

    // Nothing that leaves the machine off ends it; a missing domain outranks it and keeps it.
    system(store, { type: 'PatchSystem', led: 'Blinking' });
    expect(status(store)).toEqual({ State: 'Enabled', Health: 'Warning', Conditions: [condition] });
    system(store, { type: 'ObserveDomainMissing' });
    expect(status(store)).toEqual({ State: 'Absent', Health: 'Critical', Conditions: [condition] });
    system(store, observeDomain);
    system(store, { type: 'ObservePowerState', powerState: 'Paused' });
    expect(status(store)).toEqual({ State: 'Enabled', Health: 'Warning', Conditions: [condition] });

    const live = dump(store.db);
    rebuildViews(store.db, projectors);
    expect(dump(store.db)).toBe(live);

    system(store, { type: 'ObservePowerState', powerState: 'On' });
    expect(status(store)).toEqual({ State: 'Enabled', Health: 'OK' });
  });

  it('is UnavailableOffline with a Critical condition while its libvirt daemon does not answer, over a failed reset, until it answers again', () => {
    const store = openLab();
    system(store, observeDomain);
    system(store, { type: 'ObservePowerState', powerState: 'On' });
    system(store, { type: 'RecordResetOutcome', resetType: 'Nmi', requestedAt: 1, message: 'NMI not supported' });
    const resetCondition = status(store).Conditions[0];
    system(store, { type: 'ObserveHostUnreachable', reason: 'TLS 10.0.0.7:16514: connect ECONNREFUSED' });
    const lost = queryHistory(store.db, { streamId: SYSTEM, types: ['HostUnreachableObserved'] }).at(-1)!;
    const hostCondition = {
      MessageId: 'ResourceEvent.1.4.ResourceStatusChangedCritical',
      MessageArgs: [SYSTEM, 'Critical'],
      Message: expect.stringContaining(
        'libvirt at test:///default does not answer (TLS 10.0.0.7:16514: connect ECONNREFUSED)',
      ),
      Severity: 'Critical',
      Timestamp: lost.recordedAt,
      Resolution: expect.stringContaining('libvirt daemon runs'),
    };
    expect(status(store)).toEqual({
      State: 'UnavailableOffline',
      Health: 'Critical',
      Conditions: [hostCondition, resetCondition],
    });
    // Later events keep the condition as it was made.
    system(store, { type: 'PatchSystem', led: 'Blinking' });
    expect(status(store)).toEqual({
      State: 'UnavailableOffline',
      Health: 'Critical',
      Conditions: [hostCondition, resetCondition],
    });

    const live = dump(store.db);
    rebuildViews(store.db, projectors);
    expect(dump(store.db)).toBe(live);

    system(store, { type: 'ObserveHostReachable' });
    expect(status(store)).toEqual({ State: 'Enabled', Health: 'Warning', Conditions: [resetCondition] });
  });

  it('drops the condition when a later reset succeeds', () => {
    const store = openLab();
    system(store, observeDomain);
    system(store, { type: 'ObservePowerState', powerState: 'On' });
    system(store, { type: 'RecordResetOutcome', resetType: 'Nmi', requestedAt: 1, message: 'NMI not supported' });
    expect(status(store)).toMatchObject({
      Health: 'Warning',
      Conditions: [{ MessageArgs: ['PowerState', 'NMI not supported'] }],
    });
    system(store, { type: 'RecordResetOutcome', resetType: 'GracefulRestart', requestedAt: 2 });
    expect(status(store)).toEqual({ State: 'Enabled', Health: 'OK' });
  });
});

describe('a virtual media drive', () => {
  const drive = (store: EventStore) =>
    JSON.parse(store.views.get(`${virtualMediaOf('n1')}/Cd`)!.body) as Record<string, any>;

  it('is empty as soon as an eject is accepted, and an image asked for after it stays when libvirt catches up', () => {
    const store = openLab();
    system(store, observeDomain);
    system(store, { type: 'InsertMedia', device: 'Cd', image: 'http://images/a.iso' });
    system(store, { type: 'RecordMediaOutcome', device: 'Cd', action: 'insert', image: 'http://images/a.iso' });
    system(store, { type: 'EjectMedia', device: 'Cd' });
    expect(drive(store)).toMatchObject({ Inserted: false, Image: null });
    // A second eject changes nothing: the drive is empty already.
    const before = store.lastPosition();
    system(store, { type: 'EjectMedia', device: 'Cd' });
    expect(store.lastPosition()).toBe(before);
    system(store, { type: 'InsertMedia', device: 'Cd', image: 'http://images/b.iso' });
    system(store, { type: 'RecordMediaOutcome', device: 'Cd', action: 'eject' });
    expect(drive(store)).toMatchObject({ Inserted: true, Image: 'http://images/b.iso' });
    // A failure of an image no longer asked for leaves the one asked for since.
    system(store, { type: 'InsertMedia', device: 'Cd', image: 'http://images/c.iso' });
    system(store, {
      type: 'RecordMediaOutcome',
      device: 'Cd',
      action: 'insert',
      image: 'http://images/b.iso',
      message: 'HTTP 404',
    });
    expect(drive(store)).toMatchObject({ Inserted: true, Image: 'http://images/c.iso', Status: { Health: 'OK' } });
    system(store, {
      type: 'RecordMediaOutcome',
      device: 'Cd',
      action: 'insert',
      image: 'http://images/c.iso',
      message: 'HTTP 404',
    });
    expect(drive(store)).toMatchObject({ Inserted: false, Image: null, Status: { Health: 'Warning' } });
  });
});
