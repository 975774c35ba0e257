import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { systemDecider, type PatchSystem } from '../../domain/system/system-decider.js';
import { BOOT_OVERRIDE_ENABLED, BOOT_TARGETS, INDICATOR_LED, systemStream } from '../../domain/system/system-events.js';
import { baseMessage, type RedfishMessage } from '../../registries/base-registry.js';
import { RedfishHttpError } from '../redfish-error.js';
import { httpUrl } from '../http-url.js';
import { patchView } from '../patch-view.js';
import { CLAIMED_PROPERTIES } from '../claimed-properties.js';
import { executeRequest } from '../execute-request.js';

/** The longest AssetTag kept: real BMCs keep a few dozen characters; this is generous. */
const MAX_ASSET_TAG = 255;

/**
 * A PATCH body the schema accepts (patch-body.ts) as a boot override command, or the reasons the
 * emulator cannot keep it: an IndicatorLED it cannot show, an AssetTag too long, an HttpBootUri
 * that is not an http(s) URL.
 */
export function readSystemPatch(body: Record<string, unknown>): PatchSystem | RedfishMessage[] {
  const problems: RedfishMessage[] = [];
  const command: { -readonly [K in keyof PatchSystem]: PatchSystem[K] } = { type: 'PatchSystem' };
  const led = body['IndicatorLED'];
  if (typeof led === 'string') {
    if (!(INDICATOR_LED as readonly string[]).includes(led))
      problems.push(baseMessage('PropertyValueNotInList', [led, 'IndicatorLED'], ['/IndicatorLED']));
    else command.led = led as PatchSystem['led'];
  }
  const assetTag = body['AssetTag'];
  if (typeof assetTag === 'string') {
    if (assetTag.length > MAX_ASSET_TAG)
      problems.push(baseMessage('PropertyValueFormatError', [assetTag.slice(0, 40), 'AssetTag'], ['/AssetTag']));
    else command.assetTag = assetTag;
  }
  const locator = body['LocationIndicatorActive'];
  if (typeof locator === 'boolean') command.led = locator ? 'Blinking' : 'Off';
  const boot = (body['Boot'] ?? {}) as Record<string, unknown>;
  const uri = boot['HttpBootUri'];
  if (uri === null) command.httpBootUri = null;
  else if (typeof uri === 'string') {
    if (!httpUrl(uri))
      problems.push(baseMessage('PropertyValueFormatError', [uri, 'HttpBootUri'], ['/Boot/HttpBootUri']));
    else command.httpBootUri = uri;
  }
  const target = boot['BootSourceOverrideTarget'];
  if (typeof target === 'string') {
    if (!(BOOT_TARGETS as readonly string[]).includes(target))
      problems.push(
        baseMessage('PropertyValueNotInList', [target, 'BootSourceOverrideTarget'], ['/Boot/BootSourceOverrideTarget']),
      );
    else command.target = target as PatchSystem['target'];
  }
  const enabled = boot['BootSourceOverrideEnabled'];
  if (typeof enabled === 'string') {
    if (!(BOOT_OVERRIDE_ENABLED as readonly string[]).includes(enabled))
      problems.push(
        baseMessage(
          'PropertyValueNotInList',
          [enabled, 'BootSourceOverrideEnabled'],
          ['/Boot/BootSourceOverrideEnabled'],
        ),
      );
    else command.enabled = enabled as PatchSystem['enabled'];
  }
  const mode = boot['BootSourceOverrideMode'];
  if (mode === 'Legacy' || mode === 'UEFI') command.mode = mode;
  return problems.length > 0 ? problems : command;
}

/**
 * PATCH /redfish/v1/Systems/{id}: the boot source override, the locator light and the AssetTag. Honours If-Match (412 when the
 * resource changed since the client read it), refuses the whole request if any part of it is
 * wrong, and answers with the resource as it now is.
 */
export function registerSystemPatchRoute(app: FastifyInstance, store: EventStore): void {
  const url = '/redfish/v1/Systems/:systemId';
  app.patch<{ Params: { systemId: string } }>(url, async (request, reply) => {
    const stream = systemStream(request.params.systemId);
    return patchView(store, stream, request, reply, CLAIMED_PROPERTIES.ComputerSystem, (body) => {
      const command = readSystemPatch(body);
      if (Array.isArray(command)) throw new RedfishHttpError(400, command);
      executeRequest(store, stream, systemDecider, command, request);
    });
  });
}
