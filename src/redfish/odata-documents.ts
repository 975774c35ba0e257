import { buildXml } from '../xml.js';
import { ODATA_TYPE } from '../projections/odata-types.js';
import { MESSAGE_ODATA_TYPE } from '../registries/base-registry.js';

const SCHEMA_BASE = 'http://redfish.dmtf.org/schemas/v1';

/** `#ComputerSystem.v1_27_0.ComputerSystem` → schema ComputerSystem, namespace ComputerSystem.v1_27_0. */
function schemaOf(odataType: string): { schema: string; versioned?: string } {
  const parts = odataType.replace(/^#/, '').split('.');
  return parts.length === 3 ? { schema: parts[0]!, versioned: `${parts[0]}.${parts[1]}` } : { schema: parts[0]! };
}

/**
 * The OData metadata document: a reference to the CSDL of every resource type the service
 * serves, and the entity container that extends the service root's.
 */
export function metadataDocument(): string {
  const types = [...Object.values(ODATA_TYPE), MESSAGE_ODATA_TYPE, '#Resource.v1_23_0.Resource'];
  const schemas = new Map<string, Set<string>>();
  for (const type of types) {
    const { schema, versioned } = schemaOf(type);
    const namespaces = schemas.get(schema) ?? new Set([schema]);
    if (versioned) namespaces.add(versioned);
    schemas.set(schema, namespaces);
  }
  const references = [...schemas.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([schema, namespaces]) => ({
      $: { Uri: `${SCHEMA_BASE}/${schema}_v1.xml` },
      'edmx:Include': [...namespaces].map((Namespace) => ({ $: { Namespace } })),
    }));
  references.push({
    $: { Uri: `${SCHEMA_BASE}/RedfishExtensions_v1.xml` },
    'edmx:Include': [{ $: { Namespace: 'RedfishExtensions.v1_0_0', Alias: 'Redfish' } as { Namespace: string } }],
  });
  const serviceRoot = schemaOf(ODATA_TYPE.ServiceRoot).versioned!;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${buildXml({
    'edmx:Edmx': {
      $: { 'xmlns:edmx': 'http://docs.oasis-open.org/odata/ns/edmx', Version: '4.0' },
      'edmx:Reference': references,
      'edmx:DataServices': {
        Schema: {
          $: { xmlns: 'http://docs.oasis-open.org/odata/ns/edm', Namespace: 'Service' },
          EntityContainer: { $: { Name: 'Service', Extends: `${serviceRoot}.ServiceContainer` } },
        },
      },
    },
  })}\n`;
}

/** The OData service document: the service root and every resource it links directly. */
export function serviceDocument(serviceRoot: Record<string, unknown>): object {
  const entries = [{ name: 'Service', kind: 'Singleton', url: '/redfish/v1/' }];
  const links = { ...serviceRoot, ...(serviceRoot['Links'] as Record<string, unknown> | undefined) };
  for (const [name, value] of Object.entries(links)) {
    const url = (value as { '@odata.id'?: unknown } | null)?.['@odata.id'];
    if (typeof url === 'string' && name !== '@odata.id') entries.push({ name, kind: 'Singleton', url });
  }
  return { '@odata.context': '/redfish/v1/$metadata', value: entries };
}

const links = new Map<string, string>();

/** The Link header a GET or HEAD carries: the JSON Schema describing the resource's type. */
export function describedByLink(odataType: string): string {
  let link = links.get(odataType);
  if (link === undefined) {
    link = `<${SCHEMA_BASE}/${odataType.replace(/^#/, '').split('.').slice(0, -1).join('.')}.json>; rel=describedby`;
    links.set(odataType, link);
  }
  return link;
}
