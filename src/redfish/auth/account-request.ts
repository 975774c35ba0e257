import type { ChangeAccount, ChangeAccountLockout, CreateAccount } from '../../domain/accounts/account-decider.js';
import { passwordProblem } from '../../domain/accounts/password-policy.js';
import { baseMessage, type RedfishMessage } from '../../registries/base-registry.js';
import { problemMessage, RedfishHttpError } from '../redfish-error.js';
import { ROLE_IDS, type RoleId } from './roles.js';

/** A user name is an account's Id and a segment of its URI: letters, digits and `._-`, as BMCs allow. */
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
/** The collection's own POST target, which an account of that name would shadow. */
const RESERVED_NAMES = new Set(['Members']);

const pointer = (name: string) => [`/${name}`];
const typeError = (value: unknown, name: string) =>
  baseMessage('PropertyValueTypeError', [JSON.stringify(value), name], pointer(name));

/** A body as read: the command, and the new password apart from it (never part of a command or event). */
export interface AccountRequest<Command> {
  readonly command: Command;
  readonly password?: string;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw RedfishHttpError.of(400, 'MalformedJSON');
  return body as Record<string, unknown>;
}

/** A new password, checked against the policy; its value never appears in a message. */
function readPassword(value: unknown, problems: RedfishMessage[]): string | undefined {
  // The value is not echoed even in a type error: it may be a password sent as a number.
  if (typeof value !== 'string') {
    problems.push(baseMessage('PropertyValueTypeError', ['(not shown)', 'Password'], pointer('Password')));
    return undefined;
  }
  const refused = passwordProblem(value);
  if (refused) {
    problems.push(problemMessage(refused));
    return undefined;
  }
  return value;
}

function readRole(value: unknown, problems: RedfishMessage[]): RoleId | undefined {
  if (typeof value !== 'string') problems.push(typeError(value, 'RoleId'));
  else if (!(ROLE_IDS as string[]).includes(value))
    problems.push(baseMessage('PropertyValueNotInList', [value, 'RoleId'], pointer('RoleId')));
  else return value as RoleId;
  return undefined;
}

function readBoolean(value: unknown, name: string, problems: RedfishMessage[]): boolean | undefined {
  if (typeof value === 'boolean') return value;
  problems.push(typeError(value, name));
  return undefined;
}

/** Properties of a ManagerAccount a client cannot set: refused as read-only rather than unknown. */
const READ_ONLY = new Set([
  'Id',
  'Name',
  'Description',
  'Links',
  'Oem',
  'Actions',
  'Keys',
  'Certificates',
  'PasswordExpiration',
  'PasswordChangeRequired',
  'AccountExpiration',
  'OEMAccountTypes',
]);

/** Locked as a client may write it: only false (an unlock); whether it was. */
function readUnlock(value: unknown, problems: RedfishMessage[]): boolean {
  if (value === false) return true;
  problems.push(baseMessage('PropertyValueIncorrect', ['Locked', JSON.stringify(value)], pointer('Locked')));
  return false;
}

/** Any other property of an account: AccountTypes as it is (Redfish only), the read-only ones, and unknown ones. */
function readOtherProperty(name: string, value: unknown, problems: RedfishMessage[]): void {
  if (name === 'AccountTypes') {
    if (!Array.isArray(value) || value.length !== 1 || value[0] !== 'Redfish')
      problems.push(baseMessage('PropertyValueIncorrect', ['AccountTypes', JSON.stringify(value)], pointer(name)));
    return;
  }
  problems.push(baseMessage(READ_ONLY.has(name) ? 'PropertyNotWritable' : 'PropertyUnknown', [name], pointer(name)));
}

/** POST to Accounts: UserName, Password and RoleId required (the schema's RequiredOnCreate), Enabled optional. */
export function readAccountCreate(body: unknown): AccountRequest<CreateAccount> & { readonly password: string } {
  const properties = objectBody(body);
  const problems: RedfishMessage[] = [];
  let userName: string | undefined;
  let password: string | undefined;
  let roleId: RoleId | undefined;
  let enabled = true;
  for (const [name, value] of Object.entries(properties)) {
    if (name.startsWith('@')) continue;
    switch (name) {
      case 'UserName':
        if (typeof value !== 'string') problems.push(typeError(value, name));
        else if (!USER_NAME.test(value) || RESERVED_NAMES.has(value))
          problems.push(baseMessage('PropertyValueFormatError', [value, name], pointer(name)));
        else userName = value;
        break;
      case 'Password':
        password = readPassword(value, problems);
        break;
      case 'RoleId':
        roleId = readRole(value, problems);
        break;
      case 'Enabled':
        enabled = readBoolean(value, name, problems) ?? enabled;
        break;
      case 'Locked':
        // A new account is never locked: false is what it is, true cannot be asked for.
        readUnlock(value, problems);
        break;
      default:
        readOtherProperty(name, value, problems);
    }
  }
  for (const [name, value] of [
    ['UserName', properties['UserName']],
    ['Password', properties['Password']],
    ['RoleId', properties['RoleId']],
  ] as const) {
    if (value === undefined) problems.push(baseMessage('PropertyMissing', [name], pointer(name)));
  }
  if (problems.length > 0 || userName === undefined || password === undefined || roleId === undefined)
    throw new RedfishHttpError(400, problems.length > 0 ? problems : [baseMessage('MalformedJSON')]);
  return { command: { type: 'CreateAccount', userName, roleId, enabled }, password };
}

/**
 * PATCH of an account: Password, RoleId, Enabled, Locked (false only: an unlock), and UserName
 * unchanged (an account's Id is its name, so a rename is a new account). `locked` says whether
 * the account is locked now: unlocking one that is not changes nothing.
 */
export function readAccountPatch(body: unknown, userName: string, locked: boolean): AccountRequest<ChangeAccount> {
  const properties = objectBody(body);
  const problems: RedfishMessage[] = [];
  const command: { -readonly [K in keyof ChangeAccount]: ChangeAccount[K] } = { type: 'ChangeAccount', userName };
  let password: string | undefined;
  for (const [name, value] of Object.entries(properties)) {
    if (name.startsWith('@')) continue;
    switch (name) {
      case 'Password':
        password = readPassword(value, problems);
        if (password !== undefined) command.password = true;
        break;
      case 'RoleId': {
        const roleId = readRole(value, problems);
        if (roleId !== undefined) command.roleId = roleId;
        break;
      }
      case 'Enabled': {
        const enabled = readBoolean(value, name, problems);
        if (enabled !== undefined) command.enabled = enabled;
        break;
      }
      case 'Locked':
        if (readUnlock(value, problems) && locked) command.unlock = true;
        break;
      case 'UserName':
        if (value !== userName) {
          // UserName is writable by the schema; here it is the account's Id, so only its own value is right.
          problems.push({
            ...baseMessage('PropertyValueIncorrect', [name, JSON.stringify(value)], pointer(name)),
            Resolution: "An account's Id is its UserName: create an account with the new name and delete this one.",
          });
        }
        break;
      default:
        readOtherProperty(name, value, problems);
    }
  }
  if (problems.length > 0) throw new RedfishHttpError(400, problems);
  return { command, ...(password !== undefined && { password }) };
}

/** The lockout settings a client may change, and the values each takes. */
const LOCKOUT_SETTINGS = {
  AccountLockoutThreshold: { key: 'threshold', max: 1000 },
  AccountLockoutDuration: { key: 'durationSeconds', max: 86_400 },
  AccountLockoutCounterResetAfter: { key: 'counterResetAfterSeconds', max: 86_400 },
} as const;

/** A PATCH of the AccountService the schema accepts (patch-body.ts): the lockout settings, in range. */
export function readAccountServicePatch(body: Record<string, unknown>): ChangeAccountLockout {
  const problems: RedfishMessage[] = [];
  const command: { -readonly [K in keyof ChangeAccountLockout]: ChangeAccountLockout[K] } = {
    type: 'ChangeAccountLockout',
  };
  for (const [name, setting] of Object.entries(LOCKOUT_SETTINGS)) {
    const value = body[name];
    if (typeof value !== 'number') continue;
    if (value < 0 || value > setting.max)
      problems.push(baseMessage('PropertyValueOutOfRange', [String(value), name], pointer(name)));
    else command[setting.key] = value;
  }
  if (problems.length > 0) throw new RedfishHttpError(400, problems);
  return command;
}
