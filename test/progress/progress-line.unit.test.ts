import { describe, expect, it } from 'vitest';
import { formatCountProgress, formatDuration, formatReplayProgress } from '../../src/progress/progress-line.js';
import { ProgressDisplay, progressMode } from '../../src/progress/progress-display.js';

describe('progress lines', () => {
  it('give a count with its share, the rate and the time left at that rate', () => {
    expect(
      formatCountProgress({
        task: 'import (writing)',
        done: 412_000,
        total: 1_000_000,
        unit: 'events',
        elapsedMs: 4_000,
      }),
    ).toBe('import (writing): 412,000 / 1,000,000 events (41%), 103,000/s, 5.7 s left');
    // Nothing measured yet: no rate, no guess.
    expect(formatCountProgress({ task: 'export', done: 0, total: 10, unit: 'events', elapsedMs: 0 })).toBe(
      'export: 0 / 10 events (0%)',
    );
    // Done: the rate, and no time left.
    expect(formatCountProgress({ task: 'rebuild', done: 10, total: 10, unit: 'events', elapsedMs: 2_000 })).toBe(
      'rebuild: 10 / 10 events (100%), 5/s',
    );
    expect(formatCountProgress({ task: 'export', done: 0, total: 0, unit: 'events', elapsedMs: 5 })).toBe(
      'export: 0 / 0 events',
    );
  });

  it('write durations as a person reads them', () => {
    expect([400, 9_960, 42_500, 185_000, 3_725_000, -5].map(formatDuration)).toEqual([
      '0.4 s',
      '10.0 s',
      '42 s',
      '3 min 05 s',
      '1 h 02 min',
      '0.0 s',
    ]);
  });

  it("say a replay's step, what it waits for, for how long, the patience left and the differences so far", () => {
    expect(
      formatReplayProgress({
        step: 3,
        steps: 6,
        command: 'ResetSystem',
        waiting: {
          outcomes: ['PowerStateObserved /redfish/v1/Systems/s1 On', 'SystemBooted /redfish/v1/Systems/s1'],
          waitedMs: 12_400,
          patienceLeftMs: 47_600,
        },
        differences: 1,
      }),
    ).toBe(
      'replay: step 3/6 ResetSystem, waiting 12 s for PowerStateObserved On on /redfish/v1/Systems/s1 (+1 more), 47 s of patience left, 1 difference so far',
    );
    expect(formatReplayProgress({ step: 1, steps: 6, command: 'CreateVolume', setup: true, differences: 0 })).toBe(
      'replay: step 1/6 CreateVolume (setup), 0 differences so far',
    );
    expect(formatReplayProgress({ step: 0, steps: 6, differences: 0 })).toBe('replay: step 0/6, 0 differences so far');
  });
});

describe('the progress display', () => {
  it('is on for a terminal, off when piped unless --progress, and off with --quiet', () => {
    expect(progressMode({}, true)).toBe('redraw');
    expect(progressMode({}, false)).toBe('off');
    expect(progressMode({ progress: true }, false)).toBe('lines');
    expect(progressMode({ quiet: true, progress: true }, true)).toBe('off');
  });

  function displayed(mode: 'redraw' | 'lines') {
    const written: string[] = [];
    let now = 0;
    const display = new ProgressDisplay(
      mode,
      (text) => written.push(text),
      () => now,
    );
    return { written, display, at: (ms: number) => (now = ms) };
  }

  it('redraws one line in place on a terminal, at most every 100 ms, and clears it before a message', () => {
    const { written, display, at } = displayed('redraw');
    display.update(() => 'a');
    at(50);
    display.update(() => 'b');
    at(150);
    display.update(() => 'c');
    display.message('lab: ready');
    display.clear();
    expect(written).toEqual(['\r\x1b[2Ka', '\r\x1b[2Kc', '\r\x1b[2K', 'lab: ready\n']);
  });

  it('writes plain lines at most once a second when forced off a terminal', () => {
    const { written, display, at } = displayed('lines');
    for (let ms = 0; ms <= 2_500; ms += 100) {
      at(ms);
      display.update(() => `at ${ms}`);
    }
    display.clear();
    expect(written).toEqual(['at 0\n', 'at 1000\n', 'at 2000\n']);
  });
});
