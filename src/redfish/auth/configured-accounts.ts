import type { EmulatorConfig } from '../../config/config.js';
import type { EventStore } from '../../eventstore/event-store.js';
import { executeCommand, loadState } from '../../eventstore/execute-command.js';
import { accountDecider } from '../../domain/accounts/account-decider.js';
import { ACCOUNT_SERVICE_STREAM, type LockoutSettings } from '../../domain/accounts/account-events.js';
import { join } from 'node:path';
import { projectRoot } from '../../project-root.js';
import { readHtpasswd } from './accounts.js';
import { passwordKey } from './account-directory.js';
import { AccountRoles } from './roles.js';

/** The embedded accounts file: admin / password, documented in the README. */
const DEFAULT_HTPASSWD = join(projectRoot(), 'config', 'htpasswd');

/** The lockout a config that says nothing gets: five failures within five minutes lock an account for five minutes. */
export const DEFAULT_LOCKOUT: LockoutSettings = { threshold: 5, durationSeconds: 300, counterResetAfterSeconds: 300 };

/** What the configuration says of accounts: the accounts file's hashes (user → bcrypt) and their roles. */
export interface ConfiguredAccounts {
  readonly fileHashes: Map<string, string>;
  readonly roles: AccountRoles;
}

/** Reads the accounts file and `auth.roles`; a mistake in either throws, before anything is written. */
export function readConfiguredAccounts(config: EmulatorConfig): ConfiguredAccounts {
  const fileHashes = readHtpasswd(config.auth.htpasswdFile ?? DEFAULT_HTPASSWD);
  return { fileHashes, roles: new AccountRoles(config.auth.roles ?? {}, [...fileHashes.keys()]) };
}

/**
 * Records the accounts file's accounts with their roles (`auth.roles`; others are Administrators)
 * and the config's lockout settings, when they differ from those recorded at the last start: a
 * start with an unchanged config records nothing, and a client's changes stand until the config
 * changes them. Answers the file's hashes (user → bcrypt), which stay out of the log.
 */
export function recordConfiguredAccounts(
  store: EventStore,
  config: EmulatorConfig,
  { fileHashes, roles }: ConfiguredAccounts,
): Map<string, string> {
  const userNames = [...fileHashes.keys()];
  const accounts = Object.fromEntries([...userNames].sort().map((user) => [user, roles.roleOf(user)]));
  const lockout = { ...DEFAULT_LOCKOUT, ...config.auth.accountLockout };
  // A password set through the API for an account the file no longer has goes with it: were the
  // name to come back, it would be a new account of the file's.
  for (const account of Object.values(loadState(store, ACCOUNT_SERVICE_STREAM, accountDecider).state.accounts)) {
    if (account.configured && !fileHashes.has(account.userName)) store.forgetSecret(passwordKey(account.userName));
  }
  executeCommand(
    store,
    ACCOUNT_SERVICE_STREAM,
    accountDecider,
    { type: 'ConfigureAccounts', accounts, lockout },
    { actor: 'emulator' },
  );
  return fileHashes;
}
