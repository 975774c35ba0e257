import { ConfigError } from '../../config/load-config.js';

/** The privileges of the Redfish privilege model this service grants and checks. */
export const PRIVILEGES = [
  'Login',
  'ConfigureManager',
  'ConfigureUsers',
  'ConfigureSelf',
  'ConfigureComponents',
] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/** The standard roles with the privileges the Redfish specification assigns them. */
export const ROLE_PRIVILEGES = {
  Administrator: ['Login', 'ConfigureManager', 'ConfigureUsers', 'ConfigureSelf', 'ConfigureComponents'],
  Operator: ['Login', 'ConfigureSelf', 'ConfigureComponents'],
  ReadOnly: ['Login', 'ConfigureSelf'],
} as const satisfies Record<string, readonly Privilege[]>;
export type RoleId = keyof typeof ROLE_PRIVILEGES;
export const ROLE_IDS = Object.keys(ROLE_PRIVILEGES) as RoleId[];

/** A role assignment names nobody in the accounts file; the message says whom. */
export class AccountRolesError extends ConfigError {}

/**
 * The role of each account: `auth.roles` names some, every other account is an Administrator,
 * as each was before roles existed (so a config without `auth.roles` keeps working as it did).
 */
export class AccountRoles {
  private readonly roles: ReadonlyMap<string, RoleId>;

  constructor(assigned: Readonly<Record<string, RoleId>>, userNames: readonly string[]) {
    // A role given to a name that is not an account is a typo that would leave the real account an Administrator.
    const unknown = Object.keys(assigned).filter((user) => !userNames.includes(user));
    if (unknown.length > 0)
      throw new AccountRolesError(
        `auth.roles names ${unknown.map((u) => `'${u}'`).join(', ')}, not an account of the accounts file`,
      );
    this.roles = new Map(Object.entries(assigned));
  }

  roleOf(user: string): RoleId {
    return this.roles.get(user) ?? 'Administrator';
  }

  static privilegesOf(role: RoleId): readonly Privilege[] {
    return ROLE_PRIVILEGES[role];
  }
}
