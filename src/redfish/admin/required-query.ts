import type { FastifyRequest } from 'fastify';
import { RedfishHttpError } from '../redfish-error.js';

/**
 * The query of a request of the emulator's API that takes exactly `required`: each parameter
 * once and not empty, none other (400 with the Base message that says which and why).
 */
export function requiredQuery(request: FastifyRequest, required: readonly string[]): Record<string, string> {
  const query = (request.query ?? {}) as Record<string, string | string[]>;
  const unknown = Object.keys(query).find((name) => !required.includes(name));
  if (unknown !== undefined) throw RedfishHttpError.of(400, 'QueryParameterUnsupported', [unknown]);
  const values: Record<string, string> = {};
  for (const name of required) {
    const value = query[name];
    if (value === undefined || value === '') throw RedfishHttpError.of(400, 'QueryParameterValueError', [name]);
    if (Array.isArray(value)) throw RedfishHttpError.of(400, 'QueryParameterValueFormatError', [value.join(','), name]);
    values[name] = value;
  }
  return values;
}
