import type { FastifyInstance, FastifyReply } from 'fastify';
import { ODATA_TYPE } from '../../projections/odata-types.js';
import type { AllowedMethods } from '../allowed-methods.js';
import { RedfishHttpError } from '../redfish-error.js';
import { resourcePath } from '../server.js';
import type { Accounts } from './accounts.js';
import { ROLE_IDS, ROLE_PRIVILEGES, type AccountRoles, type RoleId } from './roles.js';

const ACCOUNT_SERVICE = '/redfish/v1/AccountService';
const ACCOUNTS = `${ACCOUNT_SERVICE}/Accounts`;
const ROLES = `${ACCOUNT_SERVICE}/Roles`;

const json = (reply: FastifyReply, body: object) => reply.type('application/json; charset=utf-8').send(body);

function collection(id: string, type: string, name: string, members: string[]): object {
  return { '@odata.id': id, '@odata.type': type, Name: name, Members: members.map((m) => ({ '@odata.id': m })), 'Members@odata.count': members.length };
}

/**
 * The AccountService, read-only: the accounts come from the htpasswd file and are managed there,
 * each with its role from `auth.roles`, and the three standard roles.
 */
export function registerAccountService(app: FastifyInstance, allowed: AllowedMethods, accounts: Accounts, roles: AccountRoles): void {
  for (const path of [ACCOUNT_SERVICE, ACCOUNTS, `${ACCOUNTS}/:name`, ROLES, `${ROLES}/:roleId`]) allowed.declare(path, []);

  app.get(ACCOUNT_SERVICE, async (_request, reply) =>
    json(reply, {
      '@odata.id': ACCOUNT_SERVICE,
      '@odata.type': ODATA_TYPE.AccountService,
      Id: 'AccountService',
      Name: 'Account Service',
      ServiceEnabled: true,
      Accounts: { '@odata.id': ACCOUNTS },
      Roles: { '@odata.id': ROLES },
    }),
  );
  app.get(ACCOUNTS, async (_request, reply) =>
    json(reply, collection(ACCOUNTS, ODATA_TYPE.ManagerAccountCollection, 'Accounts', accounts.userNames().map((u) => `${ACCOUNTS}/${u}`))),
  );
  app.get<{ Params: { name: string } }>(`${ACCOUNTS}/:name`, async (request, reply) => {
    const { name } = request.params;
    if (!accounts.userNames().includes(name)) throw RedfishHttpError.of(404, 'ResourceMissingAtURI', [resourcePath(request.url)]);
    const roleId = roles.roleOf(name);
    return json(reply, {
      '@odata.id': `${ACCOUNTS}/${name}`,
      '@odata.type': ODATA_TYPE.ManagerAccount,
      Id: name,
      Name: 'User Account',
      UserName: name,
      RoleId: roleId,
      AccountTypes: ['Redfish'],
      Enabled: true,
      Locked: false,
      Password: null,
      Links: { Role: { '@odata.id': `${ROLES}/${roleId}` } },
    });
  });
  app.get(ROLES, async (_request, reply) =>
    json(reply, collection(ROLES, ODATA_TYPE.RoleCollection, 'Roles', ROLE_IDS.map((r) => `${ROLES}/${r}`))),
  );
  app.get<{ Params: { roleId: string } }>(`${ROLES}/:roleId`, async (request, reply) => {
    const { roleId } = request.params;
    if (!(ROLE_IDS as string[]).includes(roleId)) throw RedfishHttpError.of(404, 'ResourceMissingAtURI', [resourcePath(request.url)]);
    return json(reply, {
      '@odata.id': `${ROLES}/${roleId}`,
      '@odata.type': ODATA_TYPE.Role,
      Id: roleId,
      Name: `${roleId} Role`,
      RoleId: roleId,
      IsPredefined: true,
      AssignedPrivileges: ROLE_PRIVILEGES[roleId as RoleId],
    });
  });
}
