import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/eventstore/event.js';
import { scenarioSteps, UnreplayableEventError } from '../../src/scenario/scenario-steps.js';
import { MARKS_STREAM } from '../../src/domain/marks/marks-decider.js';

const SYSTEM = '/redfish/v1/Systems/n1';
let position = 0;
function event(type: string, meta: RecordedEvent['meta'], data: unknown = {}, streamId = SYSTEM): RecordedEvent {
  position += 1;
  return { position, streamId, streamVersion: position, subject: streamId, type, data, meta, recordedAt: new Date(position * 1000).toISOString() };
}
const reset = (resetType: string, requestId: string, actor = 'user:admin') => ({ actor, requestId, command: { type: 'ResetSystem', resetType } });

describe('scenario steps', () => {
  position = 0;
  const log = [
    event('SystemRegistered', { actor: 'lab-config' }),
    event('PowerStateObserved', { actor: 'libvirt-observer' }, { powerState: 'Off' }),
    event('ResetRequested', reset('On', 'r1')),
    event('PowerStateObserved', { actor: 'libvirt-observer' }, { powerState: 'Paused' }),
    event('PowerStateObserved', { actor: 'libvirt-observer' }, { powerState: 'On' }),
    event('ResetApplied', { actor: 'reconciler', causationId: 3 }),
    event('MarkPlaced', { actor: 'cli' }, { name: 'a' }, MARKS_STREAM),
    event('BootOverrideChanged', { actor: 'user:ops', requestId: 'r2', command: { type: 'PatchSystem' } }),
    event('IndicatorChanged', { actor: 'user:ops', requestId: 'r2', command: { type: 'PatchSystem' } }),
    event('ResetRequested', reset('ForceOff', 'r3')),
    event('ResetApplied', { actor: 'reconciler', causationId: 10 }),
  ];

  it('makes one step of the events of one command, awaiting the outcomes that follow it; steps before the range are setup', () => {
    const steps = scenarioSteps(log, { fromPosition: 7, toPosition: 11 });
    expect(steps.map((s) => [s.position, s.command.type, s.events, s.awaits, s.setup ?? false])).toEqual([
      [3, 'ResetSystem', ['ResetRequested'], [`PowerStateObserved ${SYSTEM} On`, `ResetApplied ${SYSTEM}`], true],
      [8, 'PatchSystem', ['BootOverrideChanged', 'IndicatorChanged'], [], false],
      [10, 'ResetSystem', ['ResetRequested'], [`ResetApplied ${SYSTEM}`], false],
    ]);
  });

  it('keeps one client\'s steps when asked, and stops at the end of the range', () => {
    expect(scenarioSteps(log, { fromPosition: 1, toPosition: 11, actor: 'user:ops' }).map((s) => s.position)).toEqual([8]);
    expect(scenarioSteps(log, { fromPosition: 1, toPosition: 9 }).map((s) => s.position)).toEqual([3, 8]);
  });

  it('refuses a client event that does not carry its command', () => {
    const old = [...log, event('ResetRequested', { actor: 'user:admin', requestId: 'r9' })];
    expect(() => scenarioSteps(old, { fromPosition: 1, toPosition: old.length })).toThrow(UnreplayableEventError);
    expect(() => scenarioSteps(old, { fromPosition: 1, toPosition: old.length })).toThrow(/older build/);
  });
});
