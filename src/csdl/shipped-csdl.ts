import { join } from 'node:path';
import { projectRoot } from '../project-root.js';
import { ODATA_TYPE } from '../projections/odata-types.js';
import { CsdlModel, type CsdlType } from './csdl-model.js';
import { CsdlSchemas } from './csdl-schemas.js';

/**
 * DMTF's CSDL files the served resource types need, shipped in the repository (with DMTF's
 * license beside them) so a lab checks writes on a machine with nothing but the checkout.
 * `scripts/ship-csdl` chooses and copies them; the mockup lab reads DMTF's whole set instead.
 */
export const SHIPPED_CSDL_DIR = join(projectRoot(), 'schemas', 'csdl');

let shipped: CsdlModel | undefined;

/** The model of the shipped schemas, read when a write first needs it and kept for the process. */
export function shippedCsdl(): CsdlModel {
  shipped ??= new CsdlModel(new CsdlSchemas(SHIPPED_CSDL_DIR));
  return shipped;
}

/**
 * The CSDL files a write check of the served types reads: each type's family and bases, its
 * actions, and every complex and enum type its properties reach (links are not followed).
 */
export function servedSchemaFiles(model: CsdlModel): readonly string[] {
  const seen = new Set<string>();
  const walk = (type: CsdlType): void => {
    if (type.kind !== 'complex' || seen.has(type.name)) return;
    seen.add(type.name);
    for (const property of type.properties.values()) walk(property.type);
    for (const dynamic of type.dynamic) walk(dynamic.type);
  };
  for (const odataType of Object.values(ODATA_TYPE)) {
    const entity = model.entityType(odataType);
    for (const property of entity?.properties.values() ?? []) walk(property.type);
    for (const action of entity?.actions.values() ?? []) for (const p of action.parameters) walk(p.type);
  }
  return model.schemas.filesRead();
}
