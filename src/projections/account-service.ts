import type { RecordedEvent } from '../eventstore/event.js';
import {
  ACCOUNT_SERVICE_STREAM,
  ACCOUNTS,
  ROLES,
  accountUri,
  type AccountEvent,
  type LockoutSettings,
} from '../domain/accounts/account-events.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../domain/accounts/password-policy.js';
import { ROLE_IDS, ROLE_PRIVILEGES, type RoleId } from '../redfish/auth/roles.js';
import { addMember, setMembers } from './collection.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument, ViewWriter } from '../eventstore/projector.js';

/** Says where an account comes from; the projector also finds the configured ones by it. */
const CONFIGURED = 'An account of the accounts file (auth.htpasswdFile): only its password can be changed here.';
const MADE_HERE = 'An account made through the AccountService.';

/**
 * The AccountService with its lockout settings, one ManagerAccount per account (Password always
 * null, Locked false: a lock lives in memory and the route serving an account shows it), and the
 * three standard roles. Made by the first start's AccountServiceConfigured.
 */
export const accountServiceProjector: Projector = {
  name: 'account-service',
  apply(recorded: RecordedEvent, views: ViewWriter) {
    if (recorded.streamId !== ACCOUNT_SERVICE_STREAM) return;
    const { position } = recorded;
    const event = { type: recorded.type, data: recorded.data } as AccountEvent;
    switch (event.type) {
      case 'AccountServiceConfigured': {
        if (!views.exists(ACCOUNT_SERVICE_STREAM)) created(views, position);
        // The roles are those this service enforces, whatever a mockup's tree said of its own.
        putRoles(views, position);
        if (event.data.lockout) putLockout(views, position, event.data.lockout);
        const members = ((views.get(ACCOUNTS)?.['Members'] as { '@odata.id': string }[] | undefined) ?? []).map(
          (m) => m['@odata.id'],
        );
        for (const id of members) {
          if (views.get(id)?.['Description'] === CONFIGURED) views.delete(id);
        }
        const accounts = Object.entries(event.data.accounts);
        for (const [userName, roleId] of accounts) views.put(accountDocument(userName, roleId, true, true), position);
        const kept = members
          .filter((id) => views.exists(id))
          .concat(accounts.map(([userName]) => accountUri(userName)));
        setMembers(
          views,
          position,
          ACCOUNTS,
          ODATA_TYPE.ManagerAccountCollection,
          'Accounts',
          [...new Set(kept)].sort().map((id) => id.slice(ACCOUNTS.length + 1)),
        );
        return;
      }
      case 'AccountCreated': {
        const { userName, roleId, enabled } = event.data;
        views.put(accountDocument(userName, roleId, enabled, false), position);
        addMember(
          views,
          position,
          { id: ACCOUNTS, type: ODATA_TYPE.ManagerAccountCollection, name: 'Accounts' },
          accountUri(userName),
        );
        return;
      }
      case 'AccountChanged': {
        const doc = views.get(accountUri(event.data.userName));
        if (!doc) return;
        const { roleId, enabled } = event.data;
        if (roleId !== undefined)
          Object.assign(doc, { RoleId: roleId, Links: { Role: { '@odata.id': `${ROLES}/${roleId}` } } });
        if (enabled !== undefined) doc['Enabled'] = enabled;
        views.put(doc, position);
        return;
      }
      case 'AccountPasswordChanged':
      case 'AccountUnlocked': {
        // Nothing shown changes, but the account's ETag moves on: a client's If-Match sees the change.
        const doc = views.get(accountUri(event.data.userName));
        if (doc) views.put(doc, position);
        return;
      }
      case 'AccountDeleted': {
        const id = accountUri(event.data.userName);
        views.delete(id);
        const collection = views.get(ACCOUNTS);
        if (!collection) return;
        const members = (collection['Members'] as { '@odata.id': string }[]).filter((m) => m['@odata.id'] !== id);
        views.put({ ...collection, Members: members, 'Members@odata.count': members.length }, position);
        return;
      }
      case 'AccountLockoutChanged':
        putLockout(views, position, event.data);
        return;
    }
  },
};

function created(views: ViewWriter, position: number): void {
  views.put(
    {
      '@odata.id': ACCOUNT_SERVICE_STREAM,
      '@odata.type': ODATA_TYPE.AccountService,
      Id: 'AccountService',
      Name: 'Account Service',
      ServiceEnabled: true,
      LocalAccountAuth: 'Enabled',
      MinPasswordLength: MIN_PASSWORD_LENGTH,
      MaxPasswordLength: MAX_PASSWORD_LENGTH,
      AccountLockoutThreshold: 0,
      AccountLockoutDuration: 0,
      AccountLockoutCounterResetAfter: 0,
      AccountLockoutCounterResetEnabled: true,
      Accounts: { '@odata.id': ACCOUNTS },
      Roles: { '@odata.id': ROLES },
    },
    position,
  );
}

/** The Roles collection and the three standard roles with the privileges the service checks. */
function putRoles(views: ViewWriter, position: number): void {
  setMembers(views, position, ROLES, ODATA_TYPE.RoleCollection, 'Roles', ROLE_IDS);
  for (const roleId of ROLE_IDS) {
    views.put(
      {
        '@odata.id': `${ROLES}/${roleId}`,
        '@odata.type': ODATA_TYPE.Role,
        Id: roleId,
        Name: `${roleId} Role`,
        RoleId: roleId,
        IsPredefined: true,
        AssignedPrivileges: ROLE_PRIVILEGES[roleId],
      },
      position,
    );
  }
}

function putLockout(views: ViewWriter, position: number, lockout: LockoutSettings): void {
  const doc = views.get(ACCOUNT_SERVICE_STREAM);
  if (!doc) return;
  views.put(
    {
      ...doc,
      AccountLockoutThreshold: lockout.threshold,
      AccountLockoutDuration: lockout.durationSeconds,
      AccountLockoutCounterResetAfter: lockout.counterResetAfterSeconds,
    },
    position,
  );
}

function accountDocument(userName: string, roleId: RoleId, enabled: boolean, configured: boolean): ViewDocument {
  return {
    '@odata.id': accountUri(userName),
    '@odata.type': ODATA_TYPE.ManagerAccount,
    Id: userName,
    Name: 'User Account',
    Description: configured ? CONFIGURED : MADE_HERE,
    UserName: userName,
    RoleId: roleId,
    AccountTypes: ['Redfish'],
    Enabled: enabled,
    Locked: false,
    Password: null,
    Links: { Role: { '@odata.id': `${ROLES}/${roleId}` } },
  };
}
