import type { LockoutSettings } from '../../domain/accounts/account-events.js';

interface Failures {
  count: number;
  last: number;
  lockedUntil?: number;
}

/**
 * Failed logins per account, and the locks they lead to, held in memory as a BMC holds them: a
 * restart forgets them. They are not events on purpose: anyone who can reach the service can
 * fail a login without credentials, and recording each would let them grow the log without
 * bound. A lock's end is only an Administrator's unlock (recorded) or the duration passing.
 */
export class LoginLockout {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly settings: () => LockoutSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the account is locked now; a lock whose duration has passed is forgotten. */
  isLocked(userName: string): boolean {
    const entry = this.failures.get(userName);
    if (entry?.lockedUntil === undefined) return false;
    if (this.now() < entry.lockedUntil) return true;
    this.failures.delete(userName);
    return false;
  }

  /** Counts a failed login of an existing account; true when it locks the account. */
  recordFailure(userName: string): boolean {
    const { threshold, durationSeconds, counterResetAfterSeconds } = this.settings();
    if (threshold === 0 || durationSeconds === 0 || this.isLocked(userName)) return false;
    const now = this.now();
    const previous = this.failures.get(userName);
    const stale =
      previous !== undefined && counterResetAfterSeconds > 0 && now - previous.last >= counterResetAfterSeconds * 1000;
    const entry: Failures = { count: previous && !stale ? previous.count + 1 : 1, last: now };
    if (entry.count >= threshold) entry.lockedUntil = now + durationSeconds * 1000;
    this.failures.set(userName, entry);
    return entry.lockedUntil !== undefined;
  }

  /** A successful login resets the account's counter, as the schema says. */
  recordSuccess(userName: string): void {
    this.failures.delete(userName);
  }

  unlock(userName: string): void {
    this.failures.delete(userName);
  }
}
