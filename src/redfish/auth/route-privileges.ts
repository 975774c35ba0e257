import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RedfishHttpError } from '../redfish-error.js';
import { ADMIN_PREFIX } from '../admin/drive-fault-routes.js';
import type { Privilege } from './roles.js';

/**
 * What an operation needs: any one of `anyOf`, or ConfigureSelf when the resource is the caller's
 * own (`self` says which kind of resource that is, for the check that asks).
 */
export interface Requirement {
  readonly anyOf: readonly Privilege[];
  readonly self?: OwnedKind;
}

/** Resources an account may own, each named in its route by a parameter. */
export type OwnedKind = 'session' | 'account';
const OWNED_PARAM: Record<OwnedKind, string> = { session: 'sessionId', account: 'accountId' };

/** Whether the resource `id` of that kind is the caller's own. */
export type OwnsResource = (kind: OwnedKind, id: string, userName: string) => boolean;

const LOGIN: Requirement = { anyOf: ['Login'] };
export const COMPONENTS: Requirement = { anyOf: ['ConfigureComponents'] };
export const MANAGER: Requirement = { anyOf: ['ConfigureManager'] };
export const USERS: Requirement = { anyOf: ['ConfigureUsers'] };

/**
 * A route that answers for resources of many types (a mockup lab's) says in its config what the
 * resource a request names needs, as its type's entry in the privilege registry does; undefined
 * leaves the route's line in the table to decide.
 */
export type RequirementOfResource = (url: string) => Requirement | undefined;
export interface PrivilegeRouteConfig {
  readonly generic?: boolean;
  readonly requirementOfResource?: RequirementOfResource;
}

/**
 * Every operation of the service that is not a plain read, with the privilege the Redfish
 * privilege registry gives it (DSP8011's operation map for the resource's entity); GET and HEAD
 * need Login unless listed here. Keys are `METHOD route`, the route as fastify registers it. A
 * mutating route missing here is refused at start-up (and, were it reached, answered 403).
 */
const TABLE: Readonly<Record<string, Requirement>> = {
  // SessionService: logging in is open to every account; a session is ended by its owner or a manager.
  'POST /redfish/v1/SessionService/Sessions': LOGIN,
  'POST /redfish/v1/SessionService/Sessions/Members': LOGIN,
  'DELETE /redfish/v1/SessionService/Sessions/:sessionId': { anyOf: ['ConfigureManager'], self: 'session' },
  'PATCH /redfish/v1/SessionService': MANAGER,

  // AccountService: managing accounts is ConfigureUsers; an account may change its own password
  // (ConfigureSelf; the route refuses it anything else of its account).
  'PATCH /redfish/v1/AccountService': USERS,
  'POST /redfish/v1/AccountService/Accounts': USERS,
  'POST /redfish/v1/AccountService/Accounts/Members': USERS,
  'PATCH /redfish/v1/AccountService/Accounts/:accountId': { anyOf: ['ConfigureUsers'], self: 'account' },
  'DELETE /redfish/v1/AccountService/Accounts/:accountId': USERS,

  // ComputerSystem and what hangs off it: ConfigureComponents.
  'PATCH /redfish/v1/Systems/:systemId': COMPONENTS,
  'PATCH /redfish/v1/Chassis/:chassisId': COMPONENTS,
  'PATCH /redfish/v1/Systems/:systemId/Storage/:storageId/Drives/:driveId': COMPONENTS,
  'POST /redfish/v1/Systems/:systemId/Actions/ComputerSystem.Reset': COMPONENTS,
  'PATCH /redfish/v1/Systems/:systemId/Bios/Settings': COMPONENTS,
  'POST /redfish/v1/Systems/:systemId/Bios/Actions/Bios.ResetBios': COMPONENTS,
  'PATCH /redfish/v1/Systems/:systemId/SecureBoot': COMPONENTS,
  'POST /redfish/v1/Systems/:systemId/Storage/:storageId/Volumes': COMPONENTS,
  'PATCH /redfish/v1/Systems/:systemId/Storage/:storageId/Volumes/:volumeId': COMPONENTS,
  'DELETE /redfish/v1/Systems/:systemId/Storage/:storageId/Volumes/:volumeId': COMPONENTS,
  'POST /redfish/v1/Systems/:systemId/Storage/:storageId/Volumes/:volumeId/Actions/Volume.Initialize': COMPONENTS,

  // A mockup lab's resources: what their type needs (src/mockup/mockup-privileges.ts), else
  // changing the lab's components.
  'PATCH /redfish/v1/*': COMPONENTS,
  'POST /redfish/v1/*': COMPONENTS,
  'DELETE /redfish/v1/*': COMPONENTS,

  // VirtualMedia (under Managers, yet the registry gives it ConfigureComponents, as does its certificates' override).
  'PATCH /redfish/v1/Managers/:systemId/VirtualMedia/:device': COMPONENTS,
  'POST /redfish/v1/Managers/:systemId/VirtualMedia/:device/Actions/VirtualMedia.InsertMedia': COMPONENTS,
  'POST /redfish/v1/Managers/:systemId/VirtualMedia/:device/Actions/VirtualMedia.EjectMedia': COMPONENTS,
  'POST /redfish/v1/Managers/:systemId/VirtualMedia/:device/Certificates': COMPONENTS,
  'DELETE /redfish/v1/Managers/:systemId/VirtualMedia/:device/Certificates/:certificateId': COMPONENTS,

  // Tasks: cancelling the work a client asked for.
  'DELETE /redfish/v1/TaskService/Tasks/:taskId': COMPONENTS,
  'DELETE /redfish/v1/TaskService/TaskMonitors/:taskId': COMPONENTS,

  // UpdateService: ConfigureComponents.
  'POST /redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate': COMPONENTS,

  // CertificateService: the service's own certificate is the manager's.
  'POST /redfish/v1/CertificateService/Actions/CertificateService.ReplaceCertificate': MANAGER,

  // EventService: the service is the manager's; a subscription may be made by an operator too
  // (EventDestinationCollection: ConfigureManager or ConfigureComponents); changing or removing
  // one is ConfigureManager (or ConfigureSelf for its owner, which this service does not track).
  'PATCH /redfish/v1/EventService': MANAGER,
  'POST /redfish/v1/EventService/Subscriptions': { anyOf: ['ConfigureManager', 'ConfigureComponents'] },
  'POST /redfish/v1/EventService/Subscriptions/Members': { anyOf: ['ConfigureManager', 'ConfigureComponents'] },
  'DELETE /redfish/v1/EventService/Subscriptions/:subscriptionId': MANAGER,
  'PATCH /redfish/v1/EventService/Subscriptions/:subscriptionId': MANAGER,
  'POST /redfish/v1/EventService/Subscriptions/:subscriptionId/Actions/EventDestination.SuspendSubscription': MANAGER,
  'POST /redfish/v1/EventService/Subscriptions/:subscriptionId/Actions/EventDestination.ResumeSubscription': MANAGER,

  // The emulator's own API: changing the lab behind Redfish's back, or reading any past state, is
  // the manager's; the history of what was done is a read like any other.
  'POST /emulator/v1/Systems/:systemId/Storage/:storageId/Drives/:driveId/:fault': MANAGER,
  'GET /emulator/v1/AsOf': MANAGER,
  'GET /emulator/v1/Diff': MANAGER,
  'GET /emulator/v1/Scenario': MANAGER,
  // A mark names a point of the log and changes nothing in the lab: whoever may act on the lab may place one.
  'POST /emulator/v1/Marks': COMPONENTS,
};

const READS = new Set(['GET', 'HEAD']);

/** Paths whose routes are checked: the Redfish service and the emulator's own API. */
export function isProtectedPath(url: string): boolean {
  return url.startsWith('/redfish') || url.startsWith(ADMIN_PREFIX);
}

/**
 * What `method` on `route` needs, or undefined for a mutation nobody listed (refused). A HEAD is
 * the GET it stands for. `generic` routes answer 404 or 405 for any path and change nothing.
 */
export function requirementOf(method: string, route: string, generic = false): Requirement | undefined {
  const listed = TABLE[`${method === 'HEAD' ? 'GET' : method} ${route}`];
  if (listed) return listed;
  return READS.has(method) || generic ? LOGIN : undefined;
}

/** Every listed operation, so a test can check that each still names a route. */
export function listedOperations(): string[] {
  return Object.keys(TABLE);
}

/**
 * A mutating route registered without a line in the table stops the service at start-up, so a new
 * route cannot be served with no privilege checked.
 */
export function refuseUnlistedRoutes(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!isProtectedPath(route.url)) return;
    const generic = (route.config as { generic?: boolean } | undefined)?.generic === true;
    for (const method of [route.method].flat()) {
      if (!requirementOf(method, route.url, generic)) {
        throw new Error(
          `${method} ${route.url} has no privilege in src/redfish/auth/route-privileges.ts: add it there`,
        );
      }
    }
  });
}

/** Who is asking, as the authentication found them. */
export interface Caller {
  readonly userName: string;
  readonly privileges: readonly Privilege[];
}

/**
 * 403 InsufficientPrivilege unless the caller holds what the request's route needs. Runs before
 * the body is read or any handler runs, so a refused request changes and records nothing.
 * `owns` answers the ConfigureSelf cases: a session's DELETE, an account's PATCH.
 */
export function checkPrivilege(request: FastifyRequest, caller: Caller, owns: OwnsResource): void {
  const route = request.routeOptions.url;
  // No route: the not-found handler answers 404 or 405 and changes nothing.
  if (route === undefined) return;
  const config = request.routeOptions.config as PrivilegeRouteConfig | undefined;
  const requirement =
    config?.requirementOfResource?.(request.url) ?? requirementOf(request.method, route, config?.generic === true);
  if (requirement?.anyOf.some((p) => caller.privileges.includes(p))) return;
  if (requirement?.self !== undefined && caller.privileges.includes('ConfigureSelf')) {
    const id = (request.params as Record<string, string | undefined>)[OWNED_PARAM[requirement.self]];
    if (id !== undefined && owns(requirement.self, id, caller.userName)) return;
  }
  throw RedfishHttpError.of(403, 'InsufficientPrivilege');
}
