import bcrypt from 'bcryptjs';
import type { EventStore } from '../../eventstore/event-store.js';
import { loadState } from '../../eventstore/execute-command.js';
import { accountDecider, type AccountRecord, type AccountServiceState } from '../../domain/accounts/account-decider.js';
import { ACCOUNT_SERVICE_STREAM } from '../../domain/accounts/account-events.js';
import { AccountRoles, type Privilege } from './roles.js';

/** Where an account's password hash is kept: beside the log (store_facts), never in it. */
export const passwordKey = (userName: string) => `account-password:${userName}`;

/** bcrypt's cost for passwords set through the API: htpasswd -B's default. */
const BCRYPT_COST = 10;

/**
 * A password set through the AccountService, as kept. For an account of the accounts file,
 * `over` is the file's hash it replaced: once the file gives the account another one (the
 * operator reset it there), the file's wins again.
 */
interface KeptPassword {
  readonly hash: string;
  readonly over?: string;
}

/**
 * The accounts as the AccountService's events made them, and their passwords: those of the
 * accounts file, or a bcrypt hash kept beside the log when set through the API.
 */
export class AccountDirectory {
  /**
   * The state as of the last commit: it is read on every authenticated request, and only this
   * process writes the account stream (one emulator per store; no CLI command records accounts).
   */
  private cached: AccountServiceState | undefined;
  /** Passwords kept through the API (keptPassword), by account: read from the store once each. */
  private readonly keptPasswords = new Map<string, KeptPassword | undefined>();

  constructor(
    private readonly store: EventStore,
    private readonly fileHashes: ReadonlyMap<string, string>,
  ) {
    store.commits.listen(() => {
      this.cached = undefined;
    });
  }

  state(): AccountServiceState {
    this.cached ??= loadState(this.store, ACCOUNT_SERVICE_STREAM, accountDecider).state;
    return this.cached;
  }

  account(userName: string): AccountRecord | undefined {
    return this.state().accounts[userName];
  }

  /** What the account may do; nothing for an account that is gone or disabled. */
  privilegesOf(userName: string): readonly Privilege[] {
    const account = this.account(userName);
    return account?.enabled ? AccountRoles.privilegesOf(account.roleId) : [];
  }

  /** The hash a login is checked against: none for an unknown or disabled account, or one with no password yet. */
  passwordHash(userName: string): string | undefined {
    const account = this.account(userName);
    if (!account?.enabled) return undefined;
    const kept = this.keptPassword(userName);
    if (!account.configured) return kept?.hash;
    const file = this.fileHashes.get(userName);
    return kept !== undefined && kept.over === file ? kept.hash : file;
  }

  /** The password kept for an account, read once: only this directory changes it while serving. */
  private keptPassword(userName: string): KeptPassword | undefined {
    if (!this.keptPasswords.has(userName)) {
      const text = this.store.secret(passwordKey(userName));
      this.keptPasswords.set(userName, text === undefined ? undefined : (JSON.parse(text) as KeptPassword));
    }
    return this.keptPasswords.get(userName);
  }

  /** bcrypt of a new password: made before the change is recorded, kept (keepPassword) right after it. */
  static hashPassword(password: string): Promise<string> {
    return bcrypt.hash(password, BCRYPT_COST);
  }

  /** Keeps a new password's hash; the password itself is never stored. */
  keepPassword(userName: string, hash: string): void {
    const over = this.account(userName)?.configured ? this.fileHashes.get(userName) : undefined;
    const kept: KeptPassword = { hash, ...(over !== undefined && { over }) };
    this.store.saveSecret(passwordKey(userName), JSON.stringify(kept));
    this.keptPasswords.set(userName, kept);
  }

  forgetPassword(userName: string): void {
    this.store.forgetSecret(passwordKey(userName));
    this.keptPasswords.delete(userName);
  }
}
