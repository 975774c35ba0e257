import type { RoleId } from '../../redfish/auth/roles.js';

/** The stream of the AccountService: its accounts, their roles, and its lockout settings. */
export const ACCOUNT_SERVICE_STREAM = '/redfish/v1/AccountService';
export const ACCOUNTS = `${ACCOUNT_SERVICE_STREAM}/Accounts`;
export const ROLES = `${ACCOUNT_SERVICE_STREAM}/Roles`;
/** An account's Id is its UserName, so its URI names it (and a rename would be a new account). */
export const accountUri = (userName: string) => `${ACCOUNTS}/${userName}`;

/**
 * AccountLockoutThreshold, AccountLockoutDuration and AccountLockoutCounterResetAfter: after
 * `threshold` failed logins, each within `counterResetAfterSeconds` of the one before, the account
 * is locked for `durationSeconds`. A threshold or duration of 0 locks nothing.
 */
export interface LockoutSettings {
  readonly threshold: number;
  readonly durationSeconds: number;
  readonly counterResetAfterSeconds: number;
}

/**
 * The accounts of the accounts file with their roles, and the config's lockout settings, as the
 * service found them at a start where they differ from those recorded last. `lockout` is there
 * only when the config's settings changed: a client's PATCH of them stands until then.
 */
export interface AccountServiceConfigured {
  readonly type: 'AccountServiceConfigured';
  readonly data: { readonly accounts: Readonly<Record<string, RoleId>>; readonly lockout?: LockoutSettings };
}

/** A client created an account. Its password is kept beside the log, never in it. */
export interface AccountCreated {
  readonly type: 'AccountCreated';
  readonly subject?: string;
  readonly data: { readonly userName: string; readonly roleId: RoleId; readonly enabled: boolean };
}

/** A client changed an account's role or whether it may log in; only what changed is there. */
export interface AccountChanged {
  readonly type: 'AccountChanged';
  readonly subject?: string;
  readonly data: { readonly userName: string; readonly roleId?: RoleId; readonly enabled?: boolean };
}

/** A client set an account's password: that it happened, and who did it, never the password. */
export interface AccountPasswordChanged {
  readonly type: 'AccountPasswordChanged';
  readonly subject?: string;
  readonly data: { readonly userName: string };
}

/** An Administrator unlocked an account locked by failed logins (a PATCH of Locked to false). */
export interface AccountUnlocked {
  readonly type: 'AccountUnlocked';
  readonly subject?: string;
  readonly data: { readonly userName: string };
}

export interface AccountDeleted {
  readonly type: 'AccountDeleted';
  readonly subject?: string;
  readonly data: { readonly userName: string };
}

/** A client changed the lockout settings; the event holds all three, as they now are. */
export interface AccountLockoutChanged {
  readonly type: 'AccountLockoutChanged';
  readonly data: LockoutSettings;
}

/** A client changed the SessionService's idle timeout of a session. */
export interface SessionTimeoutChanged {
  readonly type: 'SessionTimeoutChanged';
  readonly data: { readonly seconds: number };
}

export type AccountEvent =
  | AccountServiceConfigured
  | AccountCreated
  | AccountChanged
  | AccountPasswordChanged
  | AccountUnlocked
  | AccountDeleted
  | AccountLockoutChanged
  | SessionTimeoutChanged;
