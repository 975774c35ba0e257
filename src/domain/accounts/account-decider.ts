import type { Decider } from '../decider.js';
import { problem } from '../problem.js';
import type { RoleId } from '../../redfish/auth/roles.js';
import { accountUri, type AccountEvent, type LockoutSettings } from './account-events.js';

/** The emulator's own, at start: the accounts file's accounts and roles, and the config's lockout settings. */
export interface ConfigureAccounts {
  readonly type: 'ConfigureAccounts';
  readonly accounts: Readonly<Record<string, RoleId>>;
  readonly lockout: LockoutSettings;
}
/** POST to Accounts, its body read and its password checked (and kept apart: it is no part of a command). */
export interface CreateAccount {
  readonly type: 'CreateAccount';
  readonly userName: string;
  readonly roleId: RoleId;
  readonly enabled: boolean;
}
/** PATCH of an account: what is given changes; `password` says a new one was set, never what it is. */
export interface ChangeAccount {
  readonly type: 'ChangeAccount';
  readonly userName: string;
  readonly roleId?: RoleId;
  readonly enabled?: boolean;
  readonly password?: true;
  readonly unlock?: true;
}
export interface DeleteAccount {
  readonly type: 'DeleteAccount';
  readonly userName: string;
}
/** PATCH of the AccountService's lockout settings: those given change, the others stay. */
export interface ChangeAccountLockout {
  readonly type: 'ChangeAccountLockout';
  readonly threshold?: number;
  readonly durationSeconds?: number;
  readonly counterResetAfterSeconds?: number;
}

/** PATCH of the SessionService's SessionTimeout, in the range the schema gives. */
export interface ChangeSessionTimeout {
  readonly type: 'ChangeSessionTimeout';
  readonly seconds: number;
}

export type AccountCommand =
  | ConfigureAccounts
  | CreateAccount
  | ChangeAccount
  | DeleteAccount
  | ChangeAccountLockout
  | ChangeSessionTimeout;

export interface AccountRecord {
  readonly userName: string;
  readonly roleId: RoleId;
  readonly enabled: boolean;
  /** From the accounts file: its role and existence are the config's, only its password is the API's. */
  readonly configured: boolean;
}

export interface AccountServiceState {
  readonly accounts: Readonly<Record<string, AccountRecord>>;
  readonly lockout: LockoutSettings;
  /**
   * The idle timeout of a session a client set, kept with the accounts as the lockout is: both
   * say how signing in behaves. Absent until one is set, and then the config says.
   */
  readonly sessionTimeoutSeconds?: number;
  /** What the config said when last recorded, so a start with the same config records nothing. */
  readonly configured?: { readonly accounts: Readonly<Record<string, RoleId>>; readonly lockout: LockoutSettings };
}

/** Accounts the service keeps at most, the configured ones included: a BMC has a fixed number of slots. */
export const MAX_ACCOUNTS = 64;

/** Until the first start records the config's settings. */
const NO_LOCKOUT: LockoutSettings = { threshold: 0, durationSeconds: 0, counterResetAfterSeconds: 0 };

const sameLockout = (a: LockoutSettings | undefined, b: LockoutSettings) =>
  a !== undefined &&
  a.threshold === b.threshold &&
  a.durationSeconds === b.durationSeconds &&
  a.counterResetAfterSeconds === b.counterResetAfterSeconds;
const sameRoles = (a: Readonly<Record<string, RoleId>>, b: Readonly<Record<string, RoleId>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([user, role]) => b[user] === role);

/** Enabled Administrators that would be left were `userName` to become `next` (undefined: deleted). */
function administratorsLeft(state: AccountServiceState, userName: string, next: AccountRecord | undefined): number {
  const accounts = { ...state.accounts };
  if (next) accounts[userName] = next;
  else delete accounts[userName];
  return Object.values(accounts).filter((a) => a.enabled && a.roleId === 'Administrator').length;
}

const LAST_ADMINISTRATOR =
  'It is the last enabled Administrator account: nobody could manage accounts after this. Make another account an Administrator first.';
const CONFIGURED =
  'The account is configured in the accounts file (auth.htpasswdFile) and its role in auth.roles: change it there. Only its password can be changed through the AccountService.';

/**
 * The AccountService's accounts and lockout settings. Account names are unique; the last enabled
 * Administrator can be neither deleted, demoted nor disabled, so the service is never left
 * without anyone who can manage accounts; accounts of the accounts file keep their role and
 * existence from the config (their password may be changed, as a BMC's factory account's can).
 */
export const accountDecider: Decider<AccountCommand, AccountEvent, AccountServiceState> = {
  initialState: { accounts: {}, lockout: NO_LOCKOUT },

  decide(command, state) {
    switch (command.type) {
      case 'ConfigureAccounts': {
        const { accounts, lockout } = command;
        const rolesChanged = !state.configured || !sameRoles(state.configured.accounts, accounts);
        const lockoutChanged = !sameLockout(state.configured?.lockout, lockout);
        if (!rolesChanged && !lockoutChanged) return [];
        return [{ type: 'AccountServiceConfigured', data: { accounts, ...(lockoutChanged && { lockout }) } }];
      }
      case 'CreateAccount': {
        const { userName, roleId, enabled } = command;
        if (state.accounts[userName])
          return problem(409, 'ResourceAlreadyExists', ['ManagerAccount', 'UserName', userName], ['/UserName']);
        if (Object.keys(state.accounts).length >= MAX_ACCOUNTS) return problem(400, 'CreateLimitReachedForResource');
        return [{ type: 'AccountCreated', subject: accountUri(userName), data: { userName, roleId, enabled } }];
      }
      case 'ChangeAccount': {
        const account = state.accounts[command.userName];
        if (!account) return problem(404, 'ResourceNotFound', ['ManagerAccount', command.userName]);
        const { userName } = command;
        const roleId = command.roleId !== undefined && command.roleId !== account.roleId ? command.roleId : undefined;
        const enabled =
          command.enabled !== undefined && command.enabled !== account.enabled ? command.enabled : undefined;
        if (account.configured && roleId !== undefined)
          return problem(400, 'PropertyNotWritable', ['RoleId'], ['/RoleId'], CONFIGURED);
        if (account.configured && enabled !== undefined)
          return problem(400, 'PropertyNotWritable', ['Enabled'], ['/Enabled'], CONFIGURED);
        const next = { ...account, ...(roleId !== undefined && { roleId }), ...(enabled !== undefined && { enabled }) };
        if (administratorsLeft(state, userName, next) === 0) {
          const [property, value] = roleId !== undefined ? ['RoleId', roleId] : ['Enabled', String(enabled)];
          return problem(
            409,
            'PropertyValueResourceConflict',
            [property, value, accountUri(userName)],
            [`/${property}`],
            LAST_ADMINISTRATOR,
          );
        }
        const subject = accountUri(userName);
        const events: AccountEvent[] = [];
        if (roleId !== undefined || enabled !== undefined) {
          events.push({
            type: 'AccountChanged',
            subject,
            data: { userName, ...(roleId !== undefined && { roleId }), ...(enabled !== undefined && { enabled }) },
          });
        }
        if (command.password) events.push({ type: 'AccountPasswordChanged', subject, data: { userName } });
        if (command.unlock) events.push({ type: 'AccountUnlocked', subject, data: { userName } });
        return events;
      }
      case 'DeleteAccount': {
        const account = state.accounts[command.userName];
        if (!account) return problem(404, 'ResourceNotFound', ['ManagerAccount', command.userName]);
        if (account.configured) return problem(405, 'ResourceCannotBeDeleted', [], undefined, CONFIGURED);
        if (administratorsLeft(state, command.userName, undefined) === 0)
          return problem(409, 'ResourceCannotBeDeleted', [], undefined, LAST_ADMINISTRATOR);
        return [
          { type: 'AccountDeleted', subject: accountUri(command.userName), data: { userName: command.userName } },
        ];
      }
      case 'ChangeSessionTimeout':
        return state.sessionTimeoutSeconds === command.seconds
          ? []
          : [{ type: 'SessionTimeoutChanged', data: { seconds: command.seconds } }];
      case 'ChangeAccountLockout': {
        const next: LockoutSettings = {
          threshold: command.threshold ?? state.lockout.threshold,
          durationSeconds: command.durationSeconds ?? state.lockout.durationSeconds,
          counterResetAfterSeconds: command.counterResetAfterSeconds ?? state.lockout.counterResetAfterSeconds,
        };
        // The schema's rule: the counter's window is no longer than the lockout it leads to.
        if (next.counterResetAfterSeconds > next.durationSeconds && next.durationSeconds > 0) {
          const changed =
            command.counterResetAfterSeconds !== undefined
              ? 'AccountLockoutCounterResetAfter'
              : 'AccountLockoutDuration';
          const other =
            changed === 'AccountLockoutDuration' ? 'AccountLockoutCounterResetAfter' : 'AccountLockoutDuration';
          return problem(400, 'PropertyValueConflict', [changed, other], [`/${changed}`]);
        }
        return sameLockout(state.lockout, next) ? [] : [{ type: 'AccountLockoutChanged', data: next }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'AccountServiceConfigured': {
        const { accounts: configured, lockout } = event.data;
        // Accounts the file no longer has go; those it has are its own, whatever the API made of the name.
        const accounts = Object.fromEntries(Object.entries(state.accounts).filter(([, a]) => !a.configured));
        for (const [userName, roleId] of Object.entries(configured))
          accounts[userName] = { userName, roleId, enabled: true, configured: true };
        return {
          accounts,
          lockout: lockout ?? state.lockout,
          configured: { accounts: configured, lockout: lockout ?? state.configured?.lockout ?? state.lockout },
        };
      }
      case 'AccountCreated': {
        const { userName, roleId, enabled } = event.data;
        return {
          ...state,
          accounts: { ...state.accounts, [userName]: { userName, roleId, enabled, configured: false } },
        };
      }
      case 'AccountChanged': {
        const account = state.accounts[event.data.userName];
        if (!account) return state;
        const { roleId = account.roleId, enabled = account.enabled } = event.data;
        return { ...state, accounts: { ...state.accounts, [account.userName]: { ...account, roleId, enabled } } };
      }
      case 'AccountDeleted': {
        const { [event.data.userName]: _, ...accounts } = state.accounts;
        return { ...state, accounts };
      }
      case 'AccountLockoutChanged':
        return { ...state, lockout: event.data };
      case 'SessionTimeoutChanged':
        return { ...state, sessionTimeoutSeconds: event.data.seconds };
      default:
        return state;
    }
  },
};
