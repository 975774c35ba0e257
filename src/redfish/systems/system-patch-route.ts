import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { executeClientCommand } from '../../eventstore/execute-command.js';
import { clientOrigin } from '../client-origin.js';
import { systemDecider, type PatchSystem } from '../../domain/system/system-decider.js';
import { BOOT_OVERRIDE_ENABLED, BOOT_TARGETS, INDICATOR_LED, systemStream } from '../../domain/system/system-events.js';
import type { AllowedMethods } from '../allowed-methods.js';
import { baseMessage, type RedfishMessage } from '../../registries/base-registry.js';
import { etagOf } from '../etag.js';
import { requireIfMatch } from '../patch-preconditions.js';
import { RedfishHttpError } from '../redfish-error.js';
import { httpUrl } from '../http-url.js';

/** The longest AssetTag kept: real BMCs keep a few dozen characters; this is generous. */
const MAX_ASSET_TAG = 255;

/** The Boot properties a client may write, with the values each takes. */
const WRITABLE_BOOT: Record<string, readonly string[]> = {
  BootSourceOverrideTarget: BOOT_TARGETS,
  BootSourceOverrideEnabled: BOOT_OVERRIDE_ENABLED,
  BootSourceOverrideMode: ['Legacy', 'UEFI'],
};

/**
 * Reads a PATCH body into a boot override command, or every reason it cannot be: unknown
 * properties, read-only ones, values of the wrong type or outside the allowable values.
 */
export function readSystemPatch(body: unknown, current: Record<string, unknown>): PatchSystem | RedfishMessage[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [baseMessage('MalformedJSON')];
  const problems: RedfishMessage[] = [];
  const command: { -readonly [K in keyof PatchSystem]: PatchSystem[K] } = { type: 'PatchSystem' };
  const notWritable = (name: string, pointer: string) =>
    problems.push(
      name in current
        ? baseMessage('PropertyNotWritable', [name], [pointer])
        : baseMessage('PropertyUnknown', [name], [pointer]),
    );
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name.startsWith('@')) continue;
    if (name === 'IndicatorLED') {
      if (typeof value !== 'string')
        problems.push(baseMessage('PropertyValueTypeError', [JSON.stringify(value), name], [`/${name}`]));
      else if (!(INDICATOR_LED as readonly string[]).includes(value))
        problems.push(baseMessage('PropertyValueNotInList', [value, name], [`/${name}`]));
      else command.led = value as PatchSystem['led'];
      continue;
    }
    if (name === 'AssetTag') {
      if (typeof value !== 'string')
        problems.push(baseMessage('PropertyValueTypeError', [JSON.stringify(value), name], [`/${name}`]));
      else if (value.length > MAX_ASSET_TAG)
        problems.push(baseMessage('PropertyValueFormatError', [value.slice(0, 40), name], [`/${name}`]));
      else command.assetTag = value;
      continue;
    }
    if (name === 'LocationIndicatorActive') {
      if (typeof value !== 'boolean')
        problems.push(baseMessage('PropertyValueTypeError', [JSON.stringify(value), name], [`/${name}`]));
      else command.led = value ? 'Blinking' : 'Off';
      continue;
    }
    if (name !== 'Boot') {
      notWritable(name, `/${name}`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(baseMessage('PropertyValueTypeError', [JSON.stringify(value), 'Boot'], ['/Boot']));
      continue;
    }
    for (const [property, setting] of Object.entries(value as Record<string, unknown>)) {
      const pointer = `/Boot/${property}`;
      if (property === 'HttpBootUri') {
        if (setting === null) command.httpBootUri = null;
        else if (typeof setting !== 'string')
          problems.push(baseMessage('PropertyValueTypeError', [JSON.stringify(setting), property], [pointer]));
        else if (!httpUrl(setting))
          problems.push(baseMessage('PropertyValueFormatError', [setting, property], [pointer]));
        else command.httpBootUri = setting;
        continue;
      }
      const allowed = WRITABLE_BOOT[property];
      if (!allowed) {
        notWritable(property, pointer);
      } else if (typeof setting !== 'string') {
        problems.push(baseMessage('PropertyValueTypeError', [JSON.stringify(setting), property], [pointer]));
      } else if (!allowed.includes(setting)) {
        problems.push(baseMessage('PropertyValueNotInList', [setting, property], [pointer]));
      } else if (property === 'BootSourceOverrideTarget') {
        command.target = setting as PatchSystem['target'];
      } else if (property === 'BootSourceOverrideEnabled') {
        command.enabled = setting as PatchSystem['enabled'];
      } else {
        command.mode = setting as PatchSystem['mode'];
      }
    }
  }
  return problems.length > 0 ? problems : command;
}

/**
 * PATCH /redfish/v1/Systems/{id}: the boot source override, the locator light and the AssetTag. Honours If-Match (412 when the
 * resource changed since the client read it), refuses the whole request if any part of it is
 * wrong, and answers with the resource as it now is.
 */
export function registerSystemPatchRoute(app: FastifyInstance, allowed: AllowedMethods, store: EventStore): void {
  const url = '/redfish/v1/Systems/:systemId';
  allowed.declare(url, ['PATCH']);
  app.patch<{ Params: { systemId: string } }>(url, async (request, reply) => {
    const stream = systemStream(request.params.systemId);
    const view = store.views.get(stream);
    if (!view) throw RedfishHttpError.of(404, 'ResourceMissingAtURI', [stream]);
    requireIfMatch(request.headers, view);
    const command = readSystemPatch(request.body, JSON.parse(view.body) as Record<string, unknown>);
    if (Array.isArray(command)) throw new RedfishHttpError(400, command);
    const outcome = executeClientCommand(store, stream, systemDecider, command, clientOrigin(request));
    if (!outcome.ok) throw RedfishHttpError.fromProblems([outcome.problem]);
    const updated = store.views.get(stream)!;
    return reply.header('ETag', etagOf(updated)).type('application/json; charset=utf-8').send(updated.body);
  });
}
