import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/eventstore/event.js';
import { outcomeKey, scenarioLines, UnreplayableEventError } from '../../src/scenario/scenario-steps.js';
import type { ScenarioOutcome, ScenarioStep } from '../../src/scenario/scenario-format.js';
import { MARKS_STREAM } from '../../src/domain/marks/marks-decider.js';
import { REFUSALS_STREAM } from '../../src/domain/refusals/refusal-events.js';

const SYSTEM = '/redfish/v1/Systems/n1';
let position = 0;
function event(type: string, meta: RecordedEvent['meta'], data: unknown = {}, streamId = SYSTEM): RecordedEvent {
  position += 1;
  return {
    position,
    streamId,
    streamVersion: position,
    subject: streamId,
    type,
    data,
    meta,
    recordedAt: new Date(position * 1000).toISOString(),
  };
}
const reset = (resetType: string, requestId: string, actor = 'user:admin') => ({
  actor,
  requestId,
  command: { type: 'ResetSystem', resetType },
});

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

  const summary = (line: ScenarioStep | ScenarioOutcome) =>
    line.kind === 'step'
      ? `${line.position} step ${line.command.type} ${line.events.join('+')}${line.setup ? ' setup' : ''}`
      : `${line.position} ${line.type} ${outcomeKey(line) ?? '-'}${line.setup ? ' setup' : ''}`;

  it('makes one step of the events of one command, and one outcome of each event the lab recorded, in log order; before the range is setup', () => {
    expect(scenarioLines(log, { fromPosition: 7, toPosition: 11 }).map(summary)).toEqual([
      `2 PowerStateObserved PowerStateObserved ${SYSTEM} Off setup`,
      '3 step ResetSystem ResetRequested setup',
      '4 PowerStateObserved - setup',
      `5 PowerStateObserved PowerStateObserved ${SYSTEM} On setup`,
      `6 ResetApplied ResetApplied ${SYSTEM} setup`,
      '8 step PatchSystem BootOverrideChanged+IndicatorChanged',
      '10 step ResetSystem ResetRequested',
      `11 ResetApplied ResetApplied ${SYSTEM}`,
    ]);
  });

  it("keeps one client's steps and the outcomes after them when asked, and stops at the end of the range", () => {
    expect(scenarioLines(log, { fromPosition: 1, toPosition: 11, actor: 'user:ops' }).map((s) => s.position)).toEqual([
      2, 8,
    ]);
    expect(scenarioLines(log, { fromPosition: 1, toPosition: 9 }).map((s) => s.position)).toEqual([2, 3, 4, 5, 6, 8]);
  });

  it('refuses a client event that does not carry its command', () => {
    const old = [...log, event('ResetRequested', { actor: 'user:admin', requestId: 'r9' })];
    expect(() => scenarioLines(old, { fromPosition: 1, toPosition: old.length })).toThrow(UnreplayableEventError);
    expect(() => scenarioLines(old, { fromPosition: 1, toPosition: old.length })).toThrow(/older build/);
  });
});

describe('scenario steps of refused requests', () => {
  it('makes a refused command a step that expects its refusal, and leaves out refusals that were no command and counts of dropped ones', () => {
    position = 0;
    const refusal = (data: Record<string, unknown>, meta: RecordedEvent['meta']) =>
      event(
        'RequestRefused',
        meta,
        {
          status: 400,
          messageIds: ['Base.1.22.PropertyValueConflict'],
          method: 'PATCH',
          path: SYSTEM,
          clientAddress: '127.0.0.1',
          ...data,
        },
        REFUSALS_STREAM,
      );
    const log = [
      refusal(
        { commandStream: SYSTEM },
        { actor: 'user:ops', requestId: 'r1', command: { type: 'PatchSystem', target: 'UefiHttp' } },
      ),
      refusal({ body: { AssetTag: 7 } }, { actor: 'user:ops', requestId: 'r2' }),
      event(
        'RequestRefusalsDropped',
        { actor: 'emulator' },
        { dropped: 3, since: '', until: '', buckets: [] },
        REFUSALS_STREAM,
      ),
      event('ResetRequested', reset('On', 'r3')),
    ];
    const lines = scenarioLines(log, { fromPosition: 1, toPosition: 4 });
    expect(lines).toEqual([
      expect.objectContaining({
        kind: 'step',
        position: 1,
        streamId: SYSTEM,
        command: { type: 'PatchSystem', target: 'UefiHttp' },
        events: [],
        refused: { status: 400, messageIds: ['Base.1.22.PropertyValueConflict'] },
      }),
      expect.objectContaining({ kind: 'step', position: 4, events: ['ResetRequested'] }),
    ]);
    expect(scenarioLines(log, { fromPosition: 1, toPosition: 4, actor: 'user:admin' }).map((l) => l.position)).toEqual([
      4,
    ]);
  });
});
