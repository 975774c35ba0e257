import { describe, expect, it } from 'vitest';
import { LoopHealth } from '../../src/health/loop-health.js';
import { failuresShownOn, withLoopFailures } from '../../src/health/loop-status.js';

const STORAGE = '/redfish/v1/Systems/node-1/Storage/RAID-Controller-1';

describe('loop failures on resources', () => {
  const lines: string[] = [];
  const health = new LoopHealth(
    (line) => lines.push(line),
    () => new Date('2026-01-01T00:00:00Z'),
  );
  health.failed('storage reconciler', new Error('database or disk is full'), STORAGE);
  health.failed('storage reconciler', new Error('database or disk is full'), STORAGE);
  health.failed('event subscriptions supervisor', new Error('disk I/O error'));

  it('counts attempts and says one line per loop that starts failing', () => {
    expect(health.failing()).toMatchObject([
      { name: 'storage reconciler', resource: STORAGE, attempts: 2, failingSince: '2026-01-01T00:00:00.000Z' },
      { name: 'event subscriptions supervisor', attempts: 1 },
    ]);
    expect(lines).toHaveLength(2);
  });

  it('shows a storage failure on the storage and its system, a service loop on the Managers, nothing elsewhere', () => {
    const failing = health.failing();
    expect(failuresShownOn(STORAGE, failing).map((f) => f.name)).toEqual(['storage reconciler']);
    expect(failuresShownOn('/redfish/v1/Systems/node-1', failing).map((f) => f.name)).toEqual(['storage reconciler']);
    expect(failuresShownOn('/redfish/v1/Systems/node-10', failing)).toEqual([]);
    expect(failuresShownOn('/redfish/v1/Managers/node-1', failing).map((f) => f.name)).toEqual([
      'event subscriptions supervisor',
    ]);
    expect(failuresShownOn('/redfish/v1/Chassis/node-1', failing)).toEqual([]);
  });

  it('makes Health Warning (Critical stays) with a Condition per loop beside those the view has', () => {
    const body = JSON.stringify({
      Id: 'RAID-Controller-1',
      Status: { State: 'Enabled', Health: 'OK', Conditions: [{ MessageId: 'x' }] },
    });
    const shown = JSON.parse(withLoopFailures(STORAGE, body, health.failing())) as {
      Status: { Health: string; Conditions: { MessageId: string; Message?: string }[] };
    };
    expect(shown.Status.Health).toBe('Warning');
    expect(shown.Status.Conditions).toHaveLength(2);
    expect(shown.Status.Conditions[1]).toMatchObject({
      MessageId: 'ResourceEvent.1.4.ResourceErrorsDetected',
      Message: expect.stringContaining('storage reconciler: database or disk is full'),
    });
    const critical = JSON.stringify({ Status: { State: 'Enabled', Health: 'Critical' } });
    expect(
      (JSON.parse(withLoopFailures(STORAGE, critical, health.failing())) as { Status: { Health: string } }).Status
        .Health,
    ).toBe('Critical');
    expect(withLoopFailures('/redfish/v1/Chassis/node-1', body, health.failing())).toBe(body);
  });

  it('clears a loop that went through, with one line', () => {
    health.succeeded('storage reconciler');
    health.succeeded('storage reconciler');
    expect(health.failing().map((f) => f.name)).toEqual(['event subscriptions supervisor']);
    expect(lines.at(-1)).toMatch(
      /^storage reconciler: recovered after 2 failed attempts since 2026-01-01T00:00:00.000Z$/,
    );
    expect(lines).toHaveLength(3);
  });
});
