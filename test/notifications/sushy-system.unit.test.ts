import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/eventstore/event.js';
import {
  evolveNotified,
  INITIAL_NOTIFIED,
  sushySystemOf,
  type NotifiedState,
} from '../../src/notifications/sushy-system.js';

/* The system as sushy-tools' fake driver PUTs it, folded from a system's events: pure, no I/O. */

let position = 0;
const event = (type: string, data: unknown, recordedAt = '2026-01-01T00:00:00.000Z'): RecordedEvent => ({
  position: ++position,
  streamId: '/redfish/v1/Systems/n1',
  streamVersion: position,
  subject: '/redfish/v1/Systems/n1',
  type,
  data,
  meta: {},
  recordedAt,
});
const fold = (...events: RecordedEvent[]): NotifiedState => events.reduce(evolveNotified, INITIAL_NOTIFIED);

const registered = event('SystemRegistered', {
  systemId: 'n1',
  name: 'node 1',
  libvirtUri: 'test:///default',
  domainName: 'd1',
});
const observed = event('DomainObserved', {
  uuid: 'u-1',
  vcpus: 1,
  memoryBytes: 1,
  firmware: 'UEFI',
  macAddresses: ['52:54:00:00:00:01'],
});
const off = event('PowerStateObserved', { powerState: 'Off' });

describe('the sushy-tools system of a notification', () => {
  it('is not sent before the domain is known: it has no UUID yet', () => {
    expect(sushySystemOf(fold(registered))).toBeUndefined();
  });

  it('has every key the fake driver keeps, with its defaults', () => {
    expect(sushySystemOf(fold(registered, observed, off))).toEqual({
      uuid: 'u-1',
      name: 'node 1',
      power_state: 'Off',
      external_notifier: true,
      nics: [{ mac: '52:54:00:00:00:01', ip: null }],
      boot_device: 'Hdd',
      boot_mode: 'UEFI',
      secure_boot: false,
      boot_image: {},
      pending_power: null,
    });
  });

  it.each([
    ['On', 'On'],
    ['ForceOn', 'On'],
    ['ForceOff', 'Off'],
    ['GracefulShutdown', 'Off'],
    ['PushPowerButton', 'On'],
    ['ForceRestart', 'ForceRestart'],
    ['GracefulRestart', 'GracefulRestart'],
  ])('shows a %s reset of a machine that is off as pending %s until it is carried out', (resetType, pending) => {
    const asked = fold(registered, observed, off, event('ResetRequested', { resetType }, '2026-01-01T00:00:10.500Z'));
    expect(sushySystemOf(asked)?.pending_power).toEqual({ power_state: pending, apply_time: 1767225610 });
    const done = evolveNotified(asked, event('ResetApplied', { resetType, requestedAt: 1 }));
    expect(sushySystemOf(done)?.pending_power).toBeNull();
  });

  it('leaves the power alone for an NMI', () => {
    const nmi = fold(registered, observed, off, event('ResetRequested', { resetType: 'Nmi' }));
    expect(sushySystemOf(nmi)).toEqual(sushySystemOf(fold(registered, observed, off)));
  });

  it('boots from the override while one is set, from the disk once it is spent', () => {
    const pxe = { target: 'Pxe', enabled: 'Once' };
    const set = fold(registered, observed, off, event('BootOverrideChanged', pxe));
    expect(sushySystemOf(set)?.boot_device).toBe('Pxe');
    expect(sushySystemOf(evolveNotified(set, event('BootOverrideConsumed', pxe)))?.boot_device).toBe('Hdd');
    const http = event('BootOverrideChanged', { target: 'UefiHttp', enabled: 'Once', httpBootUri: 'http://x/i.iso' });
    expect(sushySystemOf(fold(registered, observed, http))?.boot_device).toBe('Cd');
  });

  it('shows an image asked for, inserted once it is attached, and none after an eject', () => {
    const asked = fold(
      registered,
      observed,
      event('VirtualMediaInsertRequested', { device: 'Cd', image: 'http://x/a.iso' }),
    );
    expect(sushySystemOf(asked)?.boot_image).toEqual({ Cd: ['http://x/a.iso', true, false] });
    const inserted = evolveNotified(asked, event('VirtualMediaInserted', { device: 'Cd', image: 'http://x/a.iso' }));
    expect(sushySystemOf(inserted)?.boot_image).toEqual({ Cd: ['http://x/a.iso', true, true] });
    const ejected = evolveNotified(inserted, event('VirtualMediaEjectRequested', { device: 'Cd' }));
    expect(sushySystemOf(ejected)?.boot_image).toEqual({});
  });
});
