import type { MockupResource } from './mockup-tree.js';

/**
 * The one stream of a mockup lab: the whole tree is one aggregate, so a decision (a reset that
 * applies BIOS settings, a delete that takes a subtree) sees every resource it touches. Each
 * event's subject is the resource it is about.
 */
export const MOCKUP_STREAM = '/redfish/v1/Oem/Emulator/Mockup';

type Json = Record<string, unknown>;

/** A resource of the tree as it was when the lab was made: one event per resource. */
export interface MockupResourceImported {
  readonly type: 'MockupResourceImported';
  readonly subject: string;
  readonly data: {
    readonly odataId: string;
    readonly document: Json;
    readonly headers?: Readonly<Record<string, string>>;
  };
}

/** Properties written (a client's PATCH, or an action's effect): merged into the resource as a JSON merge patch. */
export interface MockupResourcePatched {
  readonly type: 'MockupResourcePatched';
  readonly subject: string;
  readonly data: { readonly odataId: string; readonly resourceType: string; readonly changes: Json };
}

/** A member POSTed to a collection. */
export interface MockupResourceCreated {
  readonly type: 'MockupResourceCreated';
  readonly subject: string;
  readonly data: { readonly odataId: string; readonly collection: string; readonly document: Json };
}

/** A resource deleted, with every resource below it (`removed`, the resource first). */
export interface MockupResourceDeleted {
  readonly type: 'MockupResourceDeleted';
  readonly subject: string;
  readonly data: {
    readonly odataId: string;
    readonly resourceType: string;
    readonly collection?: string;
    readonly removed: readonly string[];
  };
}

/** An action a client asked for; what it changed follows as events of their own. */
export interface MockupActionPerformed {
  readonly type: 'MockupActionPerformed';
  readonly subject: string;
  readonly data: { readonly odataId: string; readonly action: string; readonly parameters: Json };
}

export type MockupEvent =
  | MockupResourceImported
  | MockupResourcePatched
  | MockupResourceCreated
  | MockupResourceDeleted
  | MockupActionPerformed;

export type { MockupResource };

/** `#ComputerSystem.v1_20_0.ComputerSystem` → `ComputerSystem`: the schema a resource is of, as events name it. */
export function resourceTypeOf(document: Json | undefined): string {
  const type = document?.['@odata.type'];
  return typeof type === 'string' ? (type.split('.').pop() ?? type) : 'Resource';
}
