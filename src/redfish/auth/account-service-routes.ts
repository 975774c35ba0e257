import type { FastifyInstance, FastifyReply } from 'fastify';
import { ODATA_TYPE } from '../../projections/odata-types.js';
import type { AllowedMethods } from '../allowed-methods.js';
import { RedfishHttpError } from '../redfish-error.js';
import { resourcePath } from '../server.js';
import type { Accounts } from './accounts.js';

const ACCOUNT_SERVICE = '/redfish/v1/AccountService';
const ACCOUNTS = `${ACCOUNT_SERVICE}/Accounts`;
const ROLES = `${ACCOUNT_SERVICE}/Roles`;

/** The standard roles with their privileges; every account of the accounts file is an Administrator. */
const ROLE_PRIVILEGES: Record<string, string[]> = {
  Administrator: ['Login', 'ConfigureManager', 'ConfigureUsers', 'ConfigureSelf', 'ConfigureComponents'],
  Operator: ['Login', 'ConfigureSelf', 'ConfigureComponents'],
  ReadOnly: ['Login', 'ConfigureSelf'],
};

const json = (reply: FastifyReply, body: object) => reply.type('application/json; charset=utf-8').send(body);

function collection(id: string, type: string, name: string, members: string[]): object {
  return { '@odata.id': id, '@odata.type': type, Name: name, Members: members.map((m) => ({ '@odata.id': m })), 'Members@odata.count': members.length };
}

/**
 * The AccountService, read-only: the accounts come from the htpasswd file and are managed there
 * (each one an Administrator), and the three standard roles.
 */
export function registerAccountService(app: FastifyInstance, allowed: AllowedMethods, accounts: Accounts): void {
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
    return json(reply, {
      '@odata.id': `${ACCOUNTS}/${name}`,
      '@odata.type': ODATA_TYPE.ManagerAccount,
      Id: name,
      Name: 'User Account',
      UserName: name,
      RoleId: 'Administrator',
      AccountTypes: ['Redfish'],
      Enabled: true,
      Locked: false,
      Password: null,
      Links: { Role: { '@odata.id': `${ROLES}/Administrator` } },
    });
  });
  app.get(ROLES, async (_request, reply) =>
    json(reply, collection(ROLES, ODATA_TYPE.RoleCollection, 'Roles', Object.keys(ROLE_PRIVILEGES).map((r) => `${ROLES}/${r}`))),
  );
  app.get<{ Params: { roleId: string } }>(`${ROLES}/:roleId`, async (request, reply) => {
    const { roleId } = request.params;
    const privileges = ROLE_PRIVILEGES[roleId];
    if (!privileges) throw RedfishHttpError.of(404, 'ResourceMissingAtURI', [resourcePath(request.url)]);
    return json(reply, {
      '@odata.id': `${ROLES}/${roleId}`,
      '@odata.type': ODATA_TYPE.Role,
      Id: roleId,
      Name: `${roleId} Role`,
      RoleId: roleId,
      IsPredefined: true,
      AssignedPrivileges: privileges,
    });
  });
}
