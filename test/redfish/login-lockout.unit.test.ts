import { describe, expect, it } from 'vitest';
import { LoginLockout } from '../../src/redfish/auth/login-lockout.js';

describe('login lockout', () => {
  it('locks after the threshold of failures, each within the counter window of the one before, for the duration', () => {
    let now = 0;
    const settings = { threshold: 3, durationSeconds: 60, counterResetAfterSeconds: 10 };
    const lockout = new LoginLockout(
      () => settings,
      () => now,
    );
    expect(lockout.recordFailure('ops')).toBe(false);
    now += 9_000;
    expect(lockout.recordFailure('ops')).toBe(false);
    // Ten seconds after the last failure the counter starts again.
    now += 10_000;
    expect(lockout.recordFailure('ops')).toBe(false);
    expect(lockout.recordFailure('ops')).toBe(false);
    expect(lockout.recordFailure('ops')).toBe(true);
    expect(lockout.isLocked('ops')).toBe(true);
    expect(lockout.isLocked('viewer')).toBe(false);
    // Failures while locked do not lengthen the lock.
    now += 59_000;
    expect(lockout.recordFailure('ops')).toBe(false);
    expect(lockout.isLocked('ops')).toBe(true);
    now += 1_000;
    expect(lockout.isLocked('ops')).toBe(false);
  });

  it('resets the counter on a successful login, and locks nothing with a threshold or duration of 0', () => {
    let settings = { threshold: 2, durationSeconds: 60, counterResetAfterSeconds: 60 };
    const lockout = new LoginLockout(
      () => settings,
      () => 0,
    );
    lockout.recordFailure('ops');
    lockout.recordSuccess('ops');
    expect(lockout.recordFailure('ops')).toBe(false);
    expect(lockout.recordFailure('ops')).toBe(true);
    lockout.unlock('ops');
    expect(lockout.isLocked('ops')).toBe(false);
    for (const off of [
      { ...settings, threshold: 0 },
      { ...settings, durationSeconds: 0 },
    ]) {
      settings = off;
      for (let i = 0; i < 5; i++) expect(lockout.recordFailure('ops')).toBe(false);
      expect(lockout.isLocked('ops')).toBe(false);
    }
  });
});
