import { baseMessage } from '../registries/base-registry.js';
import { RedfishHttpError } from './redfish-error.js';

/**
 * The body of a Redfish action as an object of parameters, checked against the names the action
 * takes: a missing body, a non-object, or an unknown parameter each get the Base message for it.
 */
export function actionParameters(body: unknown, action: string, known: readonly string[]): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw RedfishHttpError.of(400, 'MalformedJSON');
  const parameters = body as Record<string, unknown>;
  const unknown = Object.keys(parameters).filter((name) => !known.includes(name) && !name.startsWith('@'));
  if (unknown.length > 0) {
    throw new RedfishHttpError(
      400,
      unknown.map((name) => baseMessage('ActionParameterUnknown', [action, name], [`/${name}`])),
    );
  }
  return parameters;
}

/** A required parameter that must be one of `allowed`. */
export function enumParameter<T extends string>(
  parameters: Record<string, unknown>,
  action: string,
  name: string,
  allowed: readonly T[],
): T {
  const value = parameters[name];
  if (value === undefined) throw RedfishHttpError.of(400, 'ActionParameterMissing', [action, name], [`/${name}`]);
  if (typeof value !== 'string')
    throw RedfishHttpError.of(
      400,
      'ActionParameterValueTypeError',
      [JSON.stringify(value), name, action],
      [`/${name}`],
    );
  if (!allowed.includes(value as T))
    throw RedfishHttpError.of(400, 'ActionParameterValueNotInList', [value, name, action], [`/${name}`]);
  return value as T;
}
