import type { Decider } from '../domain/decider.js';
import { problem, type RedfishProblem } from '../domain/problem.js';
import { resourceTypeOf, type MockupEvent, type MockupResource } from './mockup-events.js';
import { mergePatch } from './merge-patch.js';
import { actionEffects } from './action-effects.js';
import { memberIds, withMembers } from './collection-members.js';
import { planMockupVolume } from './volume-plan.js';
import { isProblem } from '../domain/decider.js';

type Json = Record<string, unknown>;

export interface MockupState {
  /** Every resource of the tree as it now is, by @odata.id. */
  readonly documents: ReadonlyMap<string, Json>;
  readonly headers: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/**
 * What clients (and the start) ask of a mockup lab. The route has checked each against the CSDL
 * before: the decider says what it does to the tree.
 */
export type MockupCommand =
  | { readonly type: 'ImportMockup'; readonly resources: readonly MockupResource[] }
  | { readonly type: 'PatchMockupResource'; readonly odataId: string; readonly changes: Json }
  | {
      readonly type: 'CreateMockupMember';
      readonly collection: string;
      readonly odataType: string;
      readonly body: Json;
    }
  | { readonly type: 'DeleteMockupResource'; readonly odataId: string }
  | {
      readonly type: 'PerformMockupAction';
      readonly odataId: string;
      readonly action: string;
      readonly parameters: Json;
    };

const missing = (odataId: string): RedfishProblem => problem(404, 'ResourceMissingAtURI', [odataId]);

/** Annotations a client sends with its values (`@odata.etag`, `@Redfish.SettingsApplyTime`…) are not properties. */
function withoutAnnotations(body: Json): Json {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !key.includes('@')));
}

/** The next free member id: one past the largest number in use, as BMCs number what clients create. */
function nextMemberId(collection: string, state: MockupState): string {
  let largest = 0;
  for (const id of state.documents.keys()) {
    if (!id.startsWith(`${collection}/`)) continue;
    const last = id.slice(collection.length + 1);
    if (/^\d+$/.test(last)) largest = Math.max(largest, Number(last));
  }
  return String(largest + 1);
}

function decide(command: MockupCommand, state: MockupState): readonly MockupEvent[] | RedfishProblem {
  switch (command.type) {
    case 'ImportMockup':
      // A lab is made once; a later start finds it in the log.
      if (state.documents.size > 0) return [];
      return command.resources.map((r) => {
        const odataId = r.document['@odata.id'] as string;
        return {
          type: 'MockupResourceImported',
          subject: odataId,
          data: { odataId, document: r.document, ...(r.headers && { headers: r.headers }) },
        };
      });
    case 'PatchMockupResource': {
      if (!state.documents.has(command.odataId)) return missing(command.odataId);
      const changes = withoutAnnotations(command.changes);
      if (Object.keys(changes).length === 0) return [];
      return [
        {
          type: 'MockupResourcePatched',
          subject: command.odataId,
          data: {
            odataId: command.odataId,
            resourceType: resourceTypeOf(state.documents.get(command.odataId)),
            changes,
          },
        },
      ];
    }
    case 'CreateMockupMember': {
      const collection = state.documents.get(command.collection);
      if (!collection) return missing(command.collection);
      const volume = planMockupVolume(command.collection, command.body, state.documents);
      if (volume && isProblem(volume)) return volume;
      const id = nextMemberId(command.collection, state);
      const odataId = `${command.collection}/${id}`;
      const document: Json = {
        '@odata.id': odataId,
        '@odata.type': command.odataType,
        Id: id,
        Name: `${command.odataType.split('.').pop()} ${id}`,
        ...withoutAnnotations(command.body),
      };
      Object.assign(document, volume ?? {}, { '@odata.id': odataId, Id: id });
      return [
        {
          type: 'MockupResourceCreated',
          subject: odataId,
          data: { odataId, collection: command.collection, document },
        },
      ];
    }
    case 'DeleteMockupResource': {
      if (!state.documents.has(command.odataId)) return missing(command.odataId);
      const parent = command.odataId.slice(0, command.odataId.lastIndexOf('/'));
      const parentDoc = state.documents.get(parent);
      const collection = parentDoc && memberIds(parentDoc).includes(command.odataId) ? parent : undefined;
      const removed = [
        command.odataId,
        ...[...state.documents.keys()].filter((id) => id.startsWith(`${command.odataId}/`)),
      ];
      return [
        {
          type: 'MockupResourceDeleted',
          subject: command.odataId,
          data: {
            odataId: command.odataId,
            resourceType: resourceTypeOf(state.documents.get(command.odataId)),
            ...(collection && { collection }),
            removed,
          },
        },
      ];
    }
    case 'PerformMockupAction': {
      if (!state.documents.has(command.odataId)) return missing(command.odataId);
      const performed: MockupEvent = {
        type: 'MockupActionPerformed',
        subject: command.odataId,
        data: { odataId: command.odataId, action: command.action, parameters: command.parameters },
      };
      const effects = actionEffects(command.odataId, command.action, command.parameters, state.documents);
      if (!Array.isArray(effects)) return effects as RedfishProblem;
      return [
        performed,
        ...effects.map(
          (e): MockupEvent => ({
            type: 'MockupResourcePatched',
            subject: e.odataId,
            data: {
              odataId: e.odataId,
              resourceType: resourceTypeOf(state.documents.get(e.odataId)),
              changes: e.changes,
            },
          }),
        ),
      ];
    }
  }
}

/** The tree after one event: shared by the decider and (through `applyToDocuments`) the projection. */
function evolve(state: MockupState, event: MockupEvent): MockupState {
  const documents = new Map(state.documents);
  let headers = state.headers;
  switch (event.type) {
    case 'MockupResourceImported':
      documents.set(event.data.odataId, event.data.document);
      if (event.data.headers) headers = new Map(headers).set(event.data.odataId, event.data.headers);
      break;
    case 'MockupResourcePatched': {
      const current = documents.get(event.data.odataId);
      if (current) documents.set(event.data.odataId, mergePatch(current, event.data.changes));
      break;
    }
    case 'MockupResourceCreated': {
      documents.set(event.data.odataId, event.data.document);
      const collection = documents.get(event.data.collection);
      if (collection)
        documents.set(event.data.collection, withMembers(collection, [...memberIds(collection), event.data.odataId]));
      break;
    }
    case 'MockupResourceDeleted': {
      for (const id of event.data.removed) documents.delete(id);
      const collection = event.data.collection ? documents.get(event.data.collection) : undefined;
      if (collection)
        documents.set(
          event.data.collection!,
          withMembers(
            collection,
            memberIds(collection).filter((id) => id !== event.data.odataId),
          ),
        );
      break;
    }
    case 'MockupActionPerformed':
      break;
  }
  return { documents, headers };
}

export const mockupDecider: Decider<MockupCommand, MockupEvent, MockupState> = {
  initialState: { documents: new Map(), headers: new Map() },
  decide,
  evolve,
};
