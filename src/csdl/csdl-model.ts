import { attr, child, children, type XmlNode } from '../xml.js';
import { CsdlSchemas, compareVersions, namespaceFamily, namespaceVersion } from './csdl-schemas.js';

/** What a property holds, as far as a write needs to know. */
export type CsdlType =
  | { readonly kind: 'primitive'; readonly name: string }
  | { readonly kind: 'enum'; readonly name: string; readonly members: readonly string[] }
  | {
      readonly kind: 'complex';
      readonly name: string;
      readonly properties: ReadonlyMap<string, CsdlProperty>;
      /** OData.AdditionalProperties: members beyond those listed are allowed, unchecked (Oem). */
      readonly open: boolean;
      /** Redfish.DynamicPropertyPatterns: members named by a pattern, of one type (BIOS Attributes). */
      readonly dynamic: readonly DynamicProperty[];
    }
  | { readonly kind: 'entity'; readonly name: string }
  | { readonly kind: 'unknown'; readonly name: string };

export interface DynamicProperty {
  readonly pattern: RegExp;
  readonly type: CsdlType;
}

export type CsdlPermission = 'Read' | 'ReadWrite' | 'Write';

export interface CsdlProperty {
  readonly name: string;
  readonly type: CsdlType;
  readonly collection: boolean;
  readonly nullable: boolean;
  /** OData.Permissions; undefined when the schema says nothing (complex properties, whose members say). */
  readonly permission?: CsdlPermission;
  /** A NavigationProperty: a link, never written in place. */
  readonly navigation: boolean;
}

export interface CsdlParameter {
  readonly name: string;
  readonly type: CsdlType;
  readonly collection: boolean;
  readonly nullable: boolean;
}

export interface CsdlAction {
  /** As a resource's `Actions` names it: `#ComputerSystem.Reset`. */
  readonly name: string;
  /** Its parameters after the binding one. */
  readonly parameters: readonly CsdlParameter[];
}

/** A resource type: its properties with inheritance, its actions and what its schema lets clients do. */
export interface CsdlEntityType {
  readonly name: string;
  readonly properties: ReadonlyMap<string, CsdlProperty>;
  readonly actions: ReadonlyMap<string, CsdlAction>;
  readonly insertable: boolean;
  readonly updatable: boolean;
  readonly deletable: boolean;
}

/** The resource's own version: types of its family are taken as they were up to it. */
type Limit = { readonly family: string; readonly version: readonly number[] } | undefined;

function splitQualified(qualified: string): { namespace: string; name: string } {
  const dot = qualified.lastIndexOf('.');
  return { namespace: qualified.slice(0, dot), name: qualified.slice(dot + 1) };
}

function annotation(node: XmlNode, term: string): XmlNode | undefined {
  return children(node, 'Annotation').find((a) => attr(a, 'Term') === term);
}

function restriction(node: XmlNode, term: string, property: string): boolean | undefined {
  const record = child(annotation(node, `Capabilities.${term}`), 'Record');
  const value = children(record, 'PropertyValue').find((p) => attr(p, 'Property') === property);
  const bool = attr(value, 'Bool');
  return bool === undefined ? undefined : bool === 'true';
}

/**
 * Answers what DMTF's CSDL says of a Redfish type: resolved from a resource's `@odata.type`
 * (`#ComputerSystem.v1_20_0.ComputerSystem`) through its BaseType chain, with complex and enum
 * types taken as the union of their versions up to the resource's own, so a property added in
 * a later version of `Boot` is known to a v1_20_0 resource. Results are cached per type.
 */
export class CsdlModel {
  private readonly entities = new Map<string, CsdlEntityType | undefined>();
  private readonly types = new Map<string, CsdlType>();

  constructor(readonly schemas: CsdlSchemas = new CsdlSchemas()) {}

  /** The entity type of `#Ns.vX.Name` (or `Ns.vX.Name`), or undefined when no schema defines it. */
  entityType(odataType: string): CsdlEntityType | undefined {
    const qualified = odataType.replace(/^#/, '');
    if (this.entities.has(qualified)) return this.entities.get(qualified);
    const entity = this.resolveEntity(qualified);
    this.entities.set(qualified, entity);
    return entity;
  }

  /** The newest version of a family's resource type (`Volume` → `#Volume.v1_10_0.Volume`), for a member a client creates. */
  latestEntityType(family: string): string | undefined {
    let best: { namespace: string; version: readonly number[] } | undefined;
    for (const schema of this.schemas.family(family)) {
      const version = namespaceVersion(schema.namespace);
      if (!version || !children(schema.node, 'EntityType').some((n) => attr(n, 'Name') === family)) continue;
      if (!best || compareVersions(version, best.version) > 0) best = { namespace: schema.namespace, version };
    }
    return best && `#${best.namespace}.${family}`;
  }

  private definition(
    qualified: string,
    kinds: readonly string[],
  ): { node: XmlNode; namespace: string; kind: string } | undefined {
    const { namespace, name } = splitQualified(qualified);
    const schema = this.schemas.family(namespace).find((s) => s.namespace === namespace);
    for (const kind of kinds) {
      const node = children(schema?.node, kind).find((n) => attr(n, 'Name') === name);
      if (node) return { node, namespace, kind };
    }
    return undefined;
  }

  private resolveEntity(qualified: string): CsdlEntityType | undefined {
    const own = splitQualified(qualified).namespace;
    const version = namespaceVersion(own);
    const limit: Limit = version && { family: namespaceFamily(own), version };
    const properties = new Map<string, CsdlProperty>();
    const restrictions: { insertable?: boolean; updatable?: boolean; deletable?: boolean } = {};
    let current: string | undefined = qualified;
    let found = false;
    while (current) {
      const def = this.definition(current, ['EntityType']);
      if (!def) break;
      found = true;
      for (const [name, property] of this.ownProperties(def.node, limit))
        if (!properties.has(name)) properties.set(name, property);
      restrictions.insertable ??= restriction(def.node, 'InsertRestrictions', 'Insertable');
      restrictions.updatable ??= restriction(def.node, 'UpdateRestrictions', 'Updatable');
      restrictions.deletable ??= restriction(def.node, 'DeleteRestrictions', 'Deletable');
      current = attr(def.node, 'BaseType');
    }
    if (!found) return undefined;
    return {
      name: qualified,
      properties,
      actions: this.actionsOf(namespaceFamily(splitQualified(qualified).namespace), limit),
      insertable: restrictions.insertable ?? false,
      updatable: restrictions.updatable ?? false,
      deletable: restrictions.deletable ?? false,
    };
  }

  private ownProperties(node: XmlNode, limit: Limit): Map<string, CsdlProperty> {
    const result = new Map<string, CsdlProperty>();
    for (const kind of ['Property', 'NavigationProperty']) {
      for (const p of children(node, kind)) {
        const name = attr(p, 'Name')!;
        const ref = attr(p, 'Type') ?? 'Edm.String';
        // A link's target is never read to check a write (a link is never written in place), so
        // its family's schema is not loaded for it: the shipped schemas leave such families out.
        const { type, collection } = kind === 'NavigationProperty' ? this.linkRef(ref) : this.typeRef(ref, limit);
        const permission = attr(annotation(p, 'OData.Permissions'), 'EnumMember')?.replace('OData.Permission/', '') as
          | CsdlPermission
          | undefined;
        result.set(name, {
          name,
          type,
          collection,
          nullable: attr(p, 'Nullable') !== 'false',
          navigation: kind === 'NavigationProperty',
          ...(permission && { permission }),
        });
      }
    }
    return result;
  }

  private linkRef(ref: string): { type: CsdlType; collection: boolean } {
    const m = /^Collection\((.+)\)$/.exec(ref);
    return { type: { kind: 'entity', name: m ? m[1]! : ref }, collection: m !== null };
  }

  private typeRef(ref: string, limit: Limit): { type: CsdlType; collection: boolean } {
    const m = /^Collection\((.+)\)$/.exec(ref);
    return { type: this.type(m ? m[1]! : ref, limit), collection: m !== null };
  }

  /** A type by qualified name; complex and enum types merged over their family's versions up to `limit`. */
  type(qualified: string, limit?: Limit): CsdlType {
    if (qualified.startsWith('Edm.')) return { kind: 'primitive', name: qualified };
    const { namespace, name } = splitQualified(qualified);
    const family = namespaceFamily(namespace);
    // Only the resource's own family is bounded by its version; another family's type
    // (Resource.Status) is taken whole, and cached once for every resource.
    const bounded = limit && limit.family === family ? limit.version : undefined;
    const key = `${qualified}@${bounded?.join('_') ?? ''}`;
    const cached = this.types.get(key);
    if (cached) return cached;
    const bound = (ns: string) => {
      const v = namespaceVersion(ns);
      return !v || !bounded || compareVersions(v, bounded) <= 0;
    };
    const defs = this.schemas
      .family(namespace)
      .filter((s) => bound(s.namespace))
      .flatMap((s) =>
        ['EnumType', 'ComplexType', 'TypeDefinition', 'EntityType'].flatMap((kind) =>
          children(s.node, kind)
            .filter((n) => attr(n, 'Name') === name)
            .map((node) => ({ kind, node, namespace: s.namespace })),
        ),
      );
    const exact = this.definition(qualified, ['EnumType', 'ComplexType', 'TypeDefinition', 'EntityType']);
    const kind = exact?.kind ?? defs[0]?.kind;
    let type: CsdlType;
    if (kind === 'EnumType') {
      const members = [
        ...new Set(
          defs
            .filter((d) => d.kind === 'EnumType')
            .flatMap((d) => children(d.node, 'Member').map((m) => attr(m, 'Name')!)),
        ),
      ];
      type = { kind: 'enum', name: qualified, members };
    } else if (kind === 'TypeDefinition') {
      type = this.type(attr((exact ?? defs[0])!.node, 'UnderlyingType') ?? 'Edm.String', limit);
    } else if (kind === 'EntityType') {
      type = { kind: 'entity', name: qualified };
    } else if (kind === 'ComplexType') {
      // Members are resolved when first asked for: a resource's type names dozens of complex
      // types, most of which a PATCH never reaches.
      const complexDefs = defs.filter((d) => d.kind === 'ComplexType');
      let members: { properties: Map<string, CsdlProperty>; dynamic: DynamicProperty[] } | undefined;
      const resolve = () => {
        if (members) return members;
        members = { properties: new Map(), dynamic: [] };
        for (const def of complexDefs) {
          let node: XmlNode | undefined = def.node;
          while (node) {
            for (const record of children(
              child(annotation(node, 'Redfish.DynamicPropertyPatterns'), 'Collection'),
              'Record',
            )) {
              const value = (p: string) =>
                attr(
                  children(record, 'PropertyValue').find((v) => attr(v, 'Property') === p),
                  'String',
                );
              const pattern = value('Pattern');
              if (pattern)
                members.dynamic.push({
                  pattern: new RegExp(pattern),
                  type: this.type(value('Type') ?? 'Edm.PrimitiveType', limit),
                });
            }
            for (const [n, p] of this.ownProperties(node, limit))
              if (!members.properties.has(n)) members.properties.set(n, p);
            const base = attr(node, 'BaseType');
            node = base ? this.definition(base, ['ComplexType'])?.node : undefined;
          }
        }
        return members;
      };
      type = {
        kind: 'complex',
        name: qualified,
        open: complexDefs.some((d) => attr(annotation(d.node, 'OData.AdditionalProperties'), 'Bool') === 'true'),
        get properties() {
          return resolve().properties;
        },
        get dynamic() {
          return resolve().dynamic;
        },
      };
    } else {
      type = { kind: 'unknown', name: qualified };
    }
    this.types.set(key, type);
    return type;
  }

  private actionsOf(family: string, limit: Limit): Map<string, CsdlAction> {
    const actions = new Map<string, CsdlAction>();
    for (const schema of this.schemas.family(family)) {
      for (const node of children(schema.node, 'Action')) {
        const [binding, ...rest] = children(node, 'Parameter');
        if (!binding || !/\.Actions$/.test(attr(binding, 'Type') ?? '')) continue;
        const name = `#${family}.${attr(node, 'Name')}`;
        if (actions.has(name)) continue;
        const parameters = rest.map((p) => {
          const { type, collection } = this.typeRef(attr(p, 'Type') ?? 'Edm.String', limit);
          return { name: attr(p, 'Name')!, type, collection, nullable: attr(p, 'Nullable') !== 'false' };
        });
        actions.set(name, { name, parameters });
      }
    }
    return actions;
  }
}
