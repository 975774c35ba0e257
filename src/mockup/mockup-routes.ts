import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventStore } from '../eventstore/event-store.js';
import { loadState } from '../eventstore/execute-command.js';
import type { CsdlModel } from '../csdl/csdl-model.js';
import { checkActionParameters, checkCreate, checkPatch } from '../csdl/check-write.js';
import type { AllowedMethods } from '../redfish/allowed-methods.js';
import { RedfishHttpError, resourceMissing } from '../redfish/redfish-error.js';
import { resourcePath } from '../redfish/server.js';
import { requireIfMatch } from '../redfish/patch-preconditions.js';
import { etagOf } from '../redfish/etag.js';
import { mockupDecider, type MockupCommand } from './mockup-decider.js';
import { MOCKUP_STREAM } from './mockup-events.js';
import { memberIds } from './collection-members.js';
import { actionOf } from './mockup-actions.js';
import { attributeRegistryOf } from './attribute-registry-of.js';
import { checkBiosAttributes } from '../domain/system/bios-attributes.js';
import type { RedfishProblem } from '../domain/problem.js';
import { mockupRequirement } from './mockup-privileges.js';
import { executeRequest } from '../redfish/execute-request.js';

type Json = Record<string, unknown>;

/** The mutating routes of a mockup lab, fastify's syntax: every path below the service root. */
export const MOCKUP_ROUTE = '/redfish/v1/*';

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCollection = (document: Json) => Array.isArray(document['Members']);

/**
 * The services the emulator runs itself on every lab (accounts and roles it enforces, sessions,
 * subscriptions, tasks): what their own routes do not take is refused, never recorded as a
 * change of the tree's copy.
 */
const EMULATOR_SERVICES = ['AccountService', 'SessionService', 'EventService', 'TaskService'].map(
  (name) => `/redfish/v1/${name}`,
);
const isEmulatorService = (path: string) =>
  EMULATOR_SERVICES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/**
 * PATCH, POST and DELETE on a mockup lab's resources, each checked against DMTF's CSDL (what
 * the resource's type lets clients write, create, delete, and the actions it has, with the
 * resource's own `@Redfish.AllowableValues` and ActionInfo), then decided and recorded as an
 * event like any client command. Bad input is a 4xx with the Base message and records nothing.
 */
export function registerMockupRoutes(
  app: FastifyInstance,
  allowed: AllowedMethods,
  store: EventStore,
  csdl: CsdlModel,
): void {
  const documents = () => loadState(store, MOCKUP_STREAM, mockupDecider).state.documents;

  /**
   * The methods a resource takes besides GET, as its schema allows them (an action's target
   * takes POST), for its Allow header and 405s: found when first asked, so a start reads no schema.
   */
  allowed.declareFrom((path) => {
    if (isEmulatorService(path)) return [];
    const tree = documents();
    const document = tree.get(path);
    if (document) {
      const type = document['@odata.type'];
      const entity = typeof type === 'string' ? csdl.entityType(type) : undefined;
      return [
        ...(entity?.updatable ? ['PATCH'] : []),
        ...(entity?.insertable && isCollection(document) ? ['POST'] : []),
        ...(entity?.deletable ? ['DELETE'] : []),
      ];
    }
    const action = actionOf(path);
    const owner = action && tree.get(action.odataId);
    const advertised = owner && isObject(owner['Actions']) ? owner['Actions'][action.action] : undefined;
    return isObject(advertised) &&
      typeof advertised['target'] === 'string' &&
      resourcePath(advertised['target']) === path
      ? ['POST']
      : [];
  });

  // Headers the tree recorded for a resource (headers.json) go out with its GETs.
  const headers = loadState(store, MOCKUP_STREAM, mockupDecider).state.headers;
  if (headers.size > 0) {
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method !== 'GET' || reply.statusCode !== 200) return payload;
      for (const [name, value] of Object.entries(headers.get(resourcePath(request.url)) ?? {}))
        if (!reply.hasHeader(name)) reply.header(name, value);
      return payload;
    });
  }

  /** The tree's resource a mutation names; the emulator's own services are not the tree's to change. */
  const treePath = (request: FastifyRequest): string => {
    const path = resourcePath(request.url);
    if (isEmulatorService(path)) throw refuse(path);
    return path;
  };

  const refuse = (path: string): RedfishHttpError =>
    store.views.get(path)
      ? RedfishHttpError.of(405, 'OperationNotAllowed').withHeaders({ Allow: allowed.allowHeader(path, true) })
      : resourceMissing(path);

  const entityOf = (document: Json, path: string) => {
    const type = document['@odata.type'];
    const entity = typeof type === 'string' ? csdl.entityType(type) : undefined;
    if (!entity) throw refuse(path);
    return entity;
  };

  const execute = (request: FastifyRequest, command: MockupCommand) =>
    executeRequest(store, MOCKUP_STREAM, mockupDecider, command, request).events;

  // The privilege a change needs is that of the type of the resource it names.
  const generic = {
    config: {
      generic: true,
      requirementOfResource: (url: string) => mockupRequirement(resourcePath(url), documents()),
    },
  };

  app.patch(MOCKUP_ROUTE, generic, async (request, reply) => {
    const path = treePath(request);
    const document = documents().get(path);
    if (!document) throw refuse(path);
    requireIfMatch(request.headers, store.views.get(path)!);
    const entity = entityOf(document, path);
    if (!entity.updatable) throw refuse(path);
    const problems = checkPatch(entity, request.body, document);
    if (problems.length === 0) problems.push(...checkRegisteredAttributes(document, request.body as Json, documents()));
    if (problems.length > 0) throw RedfishHttpError.fromProblems(problems);
    execute(request, { type: 'PatchMockupResource', odataId: path, changes: request.body as Json });
    const updated = store.views.get(path)!;
    return reply.header('ETag', etagOf(updated)).type('application/json; charset=utf-8').send(updated.body);
  });

  app.post(MOCKUP_ROUTE, generic, async (request, reply) => {
    const path = treePath(request);
    const tree = documents();
    const action = actionOf(path);
    if (action) {
      const resource = tree.get(action.odataId);
      if (!resource) throw resourceMissing(path);
      const advertised = isObject(resource['Actions']) ? resource['Actions'][action.action] : undefined;
      const schemaAction = entityOf(resource, path).actions.get(action.action);
      const target =
        isObject(advertised) && typeof advertised['target'] === 'string'
          ? resourcePath(advertised['target'])
          : undefined;
      if (!schemaAction || target !== path)
        throw RedfishHttpError.of(400, 'ActionNotSupported', [action.action.slice(1)]);
      const problems = checkActionParameters(schemaAction, request.body, {
        ...allowableFromActionInfo(advertised as Json, tree),
        ...(advertised as Json),
      });
      if (problems.length > 0) throw RedfishHttpError.fromProblems(problems);
      execute(request, {
        type: 'PerformMockupAction',
        odataId: action.odataId,
        action: action.action,
        parameters: (request.body ?? {}) as Json,
      });
      return reply.status(204).send();
    }
    const collection = tree.get(path);
    if (!collection || !isCollection(collection)) throw refuse(path);
    const entity = entityOf(collection, path);
    if (!entity.insertable) throw refuse(path);
    const memberType = memberTypeOf(collection, tree, csdl);
    const member = memberType ? csdl.entityType(memberType) : undefined;
    if (!memberType || !member) throw refuse(path);
    const problems = checkCreate(member, request.body);
    if (problems.length > 0) throw RedfishHttpError.fromProblems(problems);
    const [created] = execute(request, {
      type: 'CreateMockupMember',
      collection: path,
      odataType: memberType,
      body: request.body as Json,
    });
    const odataId = (created!.data as { odataId: string }).odataId;
    const view = store.views.get(odataId)!;
    return reply
      .status(201)
      .header('Location', odataId)
      .header('ETag', etagOf(view))
      .type('application/json; charset=utf-8')
      .send(view.body);
  });

  app.delete(MOCKUP_ROUTE, generic, async (request, reply) => {
    const path = treePath(request);
    const document = documents().get(path);
    if (!document) throw refuse(path);
    if (!entityOf(document, path).deletable) throw refuse(path);
    execute(request, { type: 'DeleteMockupResource', odataId: path });
    return reply.status(204).send();
  });
}

/**
 * The `Attributes` a PATCH writes, against the attribute registry the resource names (a Bios and
 * its Settings) where the tree has it: each attribute's type, its enumeration, bounds and
 * lengths, and whether it is read-only, as a real BMC's firmware checks them.
 */
function checkRegisteredAttributes(document: Json, body: Json, tree: ReadonlyMap<string, Json>): RedfishProblem[] {
  const attributes = body['Attributes'];
  if (!isObject(attributes)) return [];
  const registry = attributeRegistryOf(document, tree);
  return registry ? checkBiosAttributes(attributes, registry) : [];
}

/** The type of a collection's members: that of a member it has, else the newest its schema defines. */
function memberTypeOf(collection: Json, tree: ReadonlyMap<string, Json>, csdl: CsdlModel): string | undefined {
  for (const id of memberIds(collection)) {
    const type = tree.get(id)?.['@odata.type'];
    if (typeof type === 'string') return type;
  }
  const family = /^#(\w+)Collection\./.exec(String(collection['@odata.type']))?.[1];
  return family ? csdl.latestEntityType(family) : undefined;
}

/** An action's ActionInfo, when the resource names one, as the `{Parameter}@Redfish.AllowableValues` it lists. */
function allowableFromActionInfo(advertised: Json | undefined, tree: ReadonlyMap<string, Json>): Json {
  const infoId = advertised?.['@Redfish.ActionInfo'];
  const info = typeof infoId === 'string' ? tree.get(resourcePath(infoId)) : undefined;
  const parameters = Array.isArray(info?.['Parameters']) ? (info['Parameters'] as Json[]) : [];
  return Object.fromEntries(
    parameters
      .filter((p) => Array.isArray(p['AllowableValues']))
      .map((p) => [`${String(p['Name'])}@Redfish.AllowableValues`, p['AllowableValues']]),
  );
}
