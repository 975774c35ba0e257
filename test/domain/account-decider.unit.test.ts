import { describe, expect, it } from 'vitest';
import {
  accountDecider,
  type AccountCommand,
  type AccountServiceState,
} from '../../src/domain/accounts/account-decider.js';
import type { AccountEvent } from '../../src/domain/accounts/account-events.js';
import { isProblem } from '../../src/domain/decider.js';
import { passwordProblem } from '../../src/domain/accounts/password-policy.js';

const LOCKOUT = { threshold: 5, durationSeconds: 300, counterResetAfterSeconds: 300 };

function stateAfter(commands: AccountCommand[]): AccountServiceState {
  return commands.reduce((state, command) => {
    const events = accountDecider.decide(command, state);
    if (isProblem(events)) throw new Error(`${command.type} refused: ${events.messageId}`);
    return events.reduce((s, e) => accountDecider.evolve(s, e), state);
  }, accountDecider.initialState);
}

const decide = (state: AccountServiceState, command: AccountCommand) => accountDecider.decide(command, state);

describe('the account decider', () => {
  // The accounts file has only a ReadOnly account: the API's Administrator is the last one.
  const state = stateAfter([
    { type: 'ConfigureAccounts', accounts: { monitor: 'ReadOnly' }, lockout: LOCKOUT },
    { type: 'CreateAccount', userName: 'boss', roleId: 'Administrator', enabled: true },
    { type: 'CreateAccount', userName: 'ops', roleId: 'Operator', enabled: true },
  ]);

  it('refuses to delete, demote or disable the last enabled Administrator, saying why', () => {
    for (const command of [
      { type: 'DeleteAccount', userName: 'boss' },
      { type: 'ChangeAccount', userName: 'boss', roleId: 'Operator' },
      { type: 'ChangeAccount', userName: 'boss', enabled: false },
    ] as AccountCommand[]) {
      const refused = decide(state, command);
      expect(isProblem(refused) && refused.status, command.type).toBe(409);
      expect(isProblem(refused) && refused.resolution).toMatch(/last enabled Administrator/);
    }
    // With a second Administrator, the first may go.
    const two = stateAfter([
      { type: 'ConfigureAccounts', accounts: { monitor: 'ReadOnly' }, lockout: LOCKOUT },
      { type: 'CreateAccount', userName: 'boss', roleId: 'Administrator', enabled: true },
      { type: 'CreateAccount', userName: 'boss2', roleId: 'Administrator', enabled: true },
    ]);
    expect(decide(two, { type: 'DeleteAccount', userName: 'boss' })).toEqual([
      { type: 'AccountDeleted', subject: '/redfish/v1/AccountService/Accounts/boss', data: { userName: 'boss' } },
    ]);
  });

  it('keeps a configured account in the config: its password only changes through the API', () => {
    expect(decide(state, { type: 'DeleteAccount', userName: 'monitor' })).toMatchObject({
      status: 405,
      messageId: 'ResourceCannotBeDeleted',
    });
    expect(decide(state, { type: 'ChangeAccount', userName: 'monitor', roleId: 'Operator' })).toMatchObject({
      status: 400,
      messageId: 'PropertyNotWritable',
    });
    expect(decide(state, { type: 'ChangeAccount', userName: 'monitor', password: true })).toEqual([
      {
        type: 'AccountPasswordChanged',
        subject: '/redfish/v1/AccountService/Accounts/monitor',
        data: { userName: 'monitor' },
      },
    ]);
  });

  it('records only what changes, and a duplicate name is a conflict', () => {
    expect(decide(state, { type: 'ChangeAccount', userName: 'ops', roleId: 'Operator', enabled: true })).toEqual([]);
    expect(decide(state, { type: 'CreateAccount', userName: 'ops', roleId: 'ReadOnly', enabled: true })).toMatchObject({
      status: 409,
      messageId: 'ResourceAlreadyExists',
    });
    expect(decide(state, { type: 'ChangeAccount', userName: 'nobody', enabled: false })).toMatchObject({ status: 404 });
  });

  it('records the config only when it changed, and keeps a client change of the lockout until the config changes it', () => {
    const configure = { type: 'ConfigureAccounts', accounts: { monitor: 'ReadOnly' }, lockout: LOCKOUT } as const;
    expect(decide(state, configure)).toEqual([]);
    const patched = stateAfter([configure, { type: 'ChangeAccountLockout', threshold: 2 }]);
    expect(patched.lockout.threshold).toBe(2);
    // New roles, same lockout: the client's threshold stands.
    const events = decide(patched, { ...configure, accounts: { monitor: 'Operator' } }) as AccountEvent[];
    expect(events).toEqual([{ type: 'AccountServiceConfigured', data: { accounts: { monitor: 'Operator' } } }]);
    expect(events.reduce((s, e) => accountDecider.evolve(s, e), patched).lockout.threshold).toBe(2);
    // A new lockout in the config replaces it.
    const changed = decide(patched, { ...configure, lockout: { ...LOCKOUT, threshold: 9 } }) as AccountEvent[];
    expect(changed.reduce((s, e) => accountDecider.evolve(s, e), patched).lockout.threshold).toBe(9);
  });

  it('refuses a counter window longer than the lockout it leads to', () => {
    expect(decide(state, { type: 'ChangeAccountLockout', counterResetAfterSeconds: 600 })).toMatchObject({
      status: 400,
      messageId: 'PropertyValueConflict',
      messageArgs: ['AccountLockoutCounterResetAfter', 'AccountLockoutDuration'],
    });
  });

  it('takes passwords of 8 to 64 characters, within the 72 bytes bcrypt reads', () => {
    expect(passwordProblem('')).toMatchObject({ messageId: 'PasswordIncorrectLength', status: 400 });
    expect(passwordProblem('1234567')).toBeDefined();
    expect(passwordProblem('12345678')).toBeUndefined();
    expect(passwordProblem('x'.repeat(64))).toBeUndefined();
    expect(passwordProblem('x'.repeat(65))).toBeDefined();
    expect(passwordProblem('é'.repeat(40))).toBeDefined();
  });
});
