import { TRANSFER_PROTOCOLS, type TransferProtocol } from '../../domain/firmware/firmware-events.js';
import type { FirmwareAddresses } from '../../projections/firmware-inventory.js';
import { actionParameters } from '../action-body.js';
import { baseMessage } from '../../registries/base-registry.js';
import { RedfishHttpError } from '../redfish-error.js';

const ACTION = 'UpdateService.SimpleUpdate';
/** Parameters of the action (DMTF's CSDL) the emulator does not offer: named as such rather than as unknown. */
const NOT_SUPPORTED = ['ForceUpdate', 'Stage', 'LocalImage', 'ExcludeTargets'];

/** A SimpleUpdate request, checked: the system it updates, what is recorded, and the credentials, which are not. */
export interface SimpleUpdateRequest {
  readonly systemId: string;
  /** Without credentials, which come apart into `credentials`. */
  readonly imageUri: string;
  readonly transferProtocol: TransferProtocol;
  readonly targets: readonly string[];
  readonly credentials: { readonly username?: string; readonly password?: string };
}

function optionalString(parameters: Record<string, unknown>, name: string): string | undefined {
  const value = parameters[name];
  if (value !== undefined && typeof value !== 'string')
    throw RedfishHttpError.of(
      400,
      'ActionParameterValueTypeError',
      [JSON.stringify(value), name, ACTION],
      [`/${name}`],
    );
  return value as string | undefined;
}

/** The image's URL, http or https, with any user and password taken out of it. */
function readImageUri(parameters: Record<string, unknown>): { uri: URL; username?: string; password?: string } {
  const value = optionalString(parameters, 'ImageURI');
  if (value === undefined)
    throw RedfishHttpError.of(400, 'ActionParameterMissing', [ACTION, 'ImageURI'], ['/ImageURI']);
  let uri: URL;
  try {
    uri = new URL(value);
  } catch {
    throw RedfishHttpError.of(400, 'ActionParameterValueFormatError', [value, 'ImageURI', ACTION], ['/ImageURI']);
  }
  if (uri.protocol !== 'http:' && uri.protocol !== 'https:')
    throw RedfishHttpError.of(400, 'ActionParameterValueFormatError', [value, 'ImageURI', ACTION], ['/ImageURI']);
  const username = uri.username ? decodeURIComponent(uri.username) : undefined;
  const password = uri.password ? decodeURIComponent(uri.password) : undefined;
  uri.username = '';
  uri.password = '';
  return { uri, ...(username !== undefined && { username }), ...(password !== undefined && { password }) };
}

/** A target as a path: absolute URLs of this service are accepted as well as paths. */
const targetPath = (target: string) => {
  const url = new URL(target, 'http://service');
  return `${url.pathname.replace(/\/+$/, '')}${url.hash}`;
};

/** Each target to the component it means: an inventory item, or the resource it is the firmware of. */
function readTargets(
  parameters: Record<string, unknown>,
  addresses: FirmwareAddresses,
): { systemId: string; targets: string[] } {
  const value = parameters['Targets'];
  if (value === undefined || (Array.isArray(value) && value.length === 0))
    throw RedfishHttpError.of(400, 'ActionParameterMissing', [ACTION, 'Targets'], ['/Targets']);
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string'))
    throw RedfishHttpError.of(
      400,
      'ActionParameterValueTypeError',
      [JSON.stringify(value), 'Targets', ACTION],
      ['/Targets'],
    );
  const found = (value as string[]).map((target) => {
    const address = addresses(targetPath(target));
    if (!address) throw RedfishHttpError.of(400, 'ResourceNotFound', ['SoftwareInventory', target], ['/Targets']);
    return address;
  });
  const systems = [...new Set(found.map((a) => a.systemId))];
  // Each system has its own BMC: one request updates the firmware of one server.
  if (systems.length > 1)
    throw RedfishHttpError.of(400, 'ActionParameterValueConflict', ['Targets', JSON.stringify(value)], ['/Targets']);
  return { systemId: systems[0]!, targets: [...new Set(found.map((a) => a.componentId))] };
}

/** Reads and checks a SimpleUpdate body; any fault is a 400 with the Base message that names it. */
export function readSimpleUpdate(body: unknown, addresses: FirmwareAddresses): SimpleUpdateRequest {
  const parameters = actionParameters(body, ACTION, [
    'ImageURI',
    'TransferProtocol',
    'Targets',
    'Username',
    'Password',
    ...NOT_SUPPORTED,
  ]);
  const unsupported = NOT_SUPPORTED.filter((name) => parameters[name] !== undefined);
  if (unsupported.length > 0)
    throw new RedfishHttpError(
      400,
      unsupported.map((name) => baseMessage('ActionParameterNotSupported', [name, ACTION], [`/${name}`])),
    );
  const image = readImageUri(parameters);
  const protocol = optionalString(parameters, 'TransferProtocol');
  if (protocol !== undefined && !(TRANSFER_PROTOCOLS as readonly string[]).includes(protocol))
    throw RedfishHttpError.of(
      400,
      'ActionParameterValueNotInList',
      [protocol, 'TransferProtocol', ACTION],
      ['/TransferProtocol'],
    );
  const username = optionalString(parameters, 'Username') ?? image.username;
  const password = optionalString(parameters, 'Password') ?? image.password;
  const { systemId, targets } = readTargets(parameters, addresses);
  return {
    systemId,
    imageUri: image.uri.href,
    // The URL's scheme says how it is fetched (sushy sends HTTP whatever the URL).
    transferProtocol: image.uri.protocol === 'https:' ? 'HTTPS' : 'HTTP',
    targets,
    credentials: { ...(username !== undefined && { username }), ...(password !== undefined && { password }) },
  };
}
