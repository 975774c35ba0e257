import { getJson, userName } from './api.js';

/** What the signed-in account may do, so the console disables what the service would refuse (it refuses it anyway). */
export interface Privileges {
  readonly configureComponents: boolean;
  readonly configureManager: boolean;
}

export async function readPrivileges(): Promise<Privileges> {
  try {
    const account = await getJson<{ RoleId: string }>(
      `/redfish/v1/AccountService/Accounts/${encodeURIComponent(userName() ?? '')}`,
    );
    const role = await getJson<{ AssignedPrivileges: string[] }>(
      `/redfish/v1/AccountService/Roles/${encodeURIComponent(account.RoleId)}`,
    );
    return {
      configureComponents: role.AssignedPrivileges.includes('ConfigureComponents'),
      configureManager: role.AssignedPrivileges.includes('ConfigureManager'),
    };
  } catch {
    // Not readable (authentication off, say): offer everything and let the service decide.
    return { configureComponents: true, configureManager: true };
  }
}
