import { describe, expect, it } from 'vitest';
import { MAX_TRACKED_BUCKETS, RefusalWindow } from '../../src/domain/refusals/refusal-window.js';

const limits = { perActorAndPath: 3, total: 5, windowSeconds: 60, bodyLimitBytes: 4096 };
const bucket = (who: string, path: string) => ({ who, method: 'POST', path });

describe('RefusalWindow', () => {
  it('records up to the limit per client and path and in all, and counts the rest by bucket', () => {
    const window = new RefusalWindow(limits);
    const admitted = Array.from({ length: 5 }, () => window.admit(bucket('user:a', '/x'), 1000).record);
    expect(admitted).toEqual([true, true, true, false, false]);
    // Another client on the same path is not hidden by the first...
    expect(window.admit(bucket('user:b', '/x'), 1000).record).toBe(true);
    expect(window.admit(bucket('user:b', '/y'), 1000).record).toBe(true);
    // ...until the window's total is reached.
    expect(window.admit(bucket('user:c', '/z'), 1000).record).toBe(false);
    expect(window.close(2000)).toEqual({
      dropped: 3,
      since: new Date(1000).toISOString(),
      until: new Date(2000).toISOString(),
      buckets: [
        { who: 'user:a', method: 'POST', path: '/x', count: 2 },
        { who: 'user:c', method: 'POST', path: '/z', count: 1 },
      ],
    });
  });

  it('closes a window that is over at the next refusal, handing back its count, and starts afresh', () => {
    const window = new RefusalWindow(limits);
    for (let i = 0; i < 4; i += 1) window.admit(bucket('user:a', '/x'), 0);
    expect(window.endsAtMs).toBe(60_000);
    const next = window.admit(bucket('user:a', '/x'), 61_000);
    expect(next).toEqual({
      record: true,
      closed: {
        dropped: 1,
        since: new Date(0).toISOString(),
        until: new Date(60_000).toISOString(),
        buckets: [{ who: 'user:a', method: 'POST', path: '/x', count: 1 }],
      },
    });
    expect(window.endsAtMs).toBe(121_000);
  });

  it('has nothing to say of a window that dropped nothing, or of none', () => {
    const window = new RefusalWindow(limits);
    expect(window.close(0)).toBeUndefined();
    window.admit(bucket('user:a', '/x'), 0);
    expect(window.close(10)).toBeUndefined();
    expect(window.endsAtMs).toBeUndefined();
  });

  it('keeps counts for a bounded number of buckets, however many paths a client tries, and counts every drop', () => {
    const window = new RefusalWindow({ ...limits, total: 0 });
    const tried = MAX_TRACKED_BUCKETS * 3;
    for (let i = 0; i < tried; i += 1) window.admit(bucket('user:a', `/x/${i}`), 0);
    const summary = window.close(1)!;
    expect(summary.dropped).toBe(tried);
    expect(summary.buckets).toHaveLength(20);
  });
});
