import { COMPONENTS, MANAGER, USERS, type Requirement } from '../redfish/auth/route-privileges.js';
import { resourceTypeOf } from './mockup-events.js';
import { actionOf } from './mockup-actions.js';

type Json = Record<string, unknown>;

/** Schemas whose changes the Redfish privilege registry (DSP8011) gives to ConfigureUsers. */
const USERS_TYPES = new Set(['AccountService', 'ManagerAccount', 'Role', 'ExternalAccountProvider']);
/** Schemas it gives to ConfigureManager: the manager itself and the services it runs. */
const MANAGER_TYPES = new Set([
  'Manager',
  'ManagerNetworkProtocol',
  'SessionService',
  'Session',
  'EventService',
  'EventDestination',
  'CertificateService',
  'KeyService',
  'Key',
  'KeyPolicy',
  'SecurityPolicy',
  'TelemetryService',
  'MetricReportDefinition',
  'Triggers',
  'AggregationService',
]);
const MANAGERS = '/redfish/v1/Managers/';

/**
 * What a change to a mockup lab's resource needs, by the schema of the resource it names (a
 * collection's members' for a POST to it, the owner's for an action): ConfigureUsers for
 * accounts and roles, ConfigureManager for the manager and its services, and for what hangs off
 * a Manager (its interfaces, logs, certificates: the registry's subordinate overrides) except
 * VirtualMedia, which, as on a libvirt lab, is the components'; ConfigureComponents for the
 * rest. Undefined for a path the tree does not have (the route answers it 404 or 405).
 */
export function mockupRequirement(path: string, tree: ReadonlyMap<string, Json>): Requirement | undefined {
  const concerned = tree.get(path) ?? tree.get(actionOf(path)?.odataId ?? '');
  if (!concerned) return undefined;
  const schema = resourceTypeOf(concerned).replace(/Collection$/, '');
  if (USERS_TYPES.has(schema)) return USERS;
  if (schema !== 'VirtualMedia' && (MANAGER_TYPES.has(schema) || path.startsWith(MANAGERS))) return MANAGER;
  return COMPONENTS;
}
