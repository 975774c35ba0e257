import { resourcePath } from '../redfish/server.js';
import { attributeDefinitionsOf } from '../domain/system/attribute-registry.js';
import type { AttributeDefinition } from '../domain/system/bios-attributes.js';

type Json = Record<string, unknown>;

const isAttributeRegistry = (document: Json | undefined) =>
  typeof document?.['@odata.type'] === 'string' && document['@odata.type'].startsWith('#AttributeRegistry.');

/**
 * The attributes of the registry a resource names in `AttributeRegistry` (a Bios, its Settings),
 * when the tree has that registry: found as a BMC publishes it, through the MessageRegistryFile
 * under Registries whose `Registry` (or `Id`) is that name and the `Uri` of a `Location`, or as an
 * AttributeRegistry resource whose `Id` is the name. Undefined when the tree has none: the
 * resource's schema is then all there is to check against.
 */
export function attributeRegistryOf(
  resource: Json,
  tree: ReadonlyMap<string, Json>,
): Record<string, AttributeDefinition> | undefined {
  const name = resource['AttributeRegistry'];
  if (typeof name !== 'string') return undefined;
  for (const document of tree.values()) {
    const isFile = String(document['@odata.type']).startsWith('#MessageRegistryFile.');
    if (!isFile || (document['Registry'] !== name && document['Id'] !== name)) continue;
    const locations = Array.isArray(document['Location']) ? (document['Location'] as Json[]) : [];
    for (const location of locations) {
      const registry = typeof location?.['Uri'] === 'string' ? tree.get(resourcePath(location['Uri'])) : undefined;
      if (isAttributeRegistry(registry)) return attributeDefinitionsOf(registry!);
    }
  }
  for (const document of tree.values())
    if (isAttributeRegistry(document) && document['Id'] === name) return attributeDefinitionsOf(document);
  return undefined;
}
