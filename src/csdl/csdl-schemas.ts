import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attr, child, children, parseXml, type XmlNode } from '../xml.js';
import { sharedDir } from '../project-root.js';

/** DMTF's CSDL files as the project ships them beside the checkout. */
export const DEFAULT_CSDL_DIR = join(sharedDir(), 'redfish', 'csdl');

/** One `<Schema>` of a CSDL file: its namespace and its element children, as xml2js gives them. */
export interface CsdlSchema {
  readonly namespace: string;
  readonly node: XmlNode;
}

/** `ComputerSystem.v1_20_0` → `ComputerSystem`; `Resource` → `Resource`. */
export function namespaceFamily(namespace: string): string {
  return namespace.replace(/\.v\d+_\d+_\d+$/, '');
}

/** `ComputerSystem.v1_20_0` → [1, 20, 0]; an unversioned namespace → undefined. */
export function namespaceVersion(namespace: string): readonly [number, number, number] | undefined {
  const m = /\.v(\d+)_(\d+)_(\d+)$/.exec(namespace);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * The schemas of a CSDL folder, read only when a namespace of theirs is first asked for: a
 * family `Foo` lives in `Foo_v1.xml` by DMTF's naming, so a mockup of a few dozen resource types
 * parses a few dozen of the 277 files (each parse is milliseconds; all of them, a second or more).
 */
export class CsdlSchemas {
  private readonly files: ReadonlySet<string>;
  /** Schemas of every family read so far, by family; a family with no file maps to []. */
  private readonly families = new Map<string, CsdlSchema[]>();
  private readonly read = new Set<string>();

  constructor(readonly dir: string = DEFAULT_CSDL_DIR) {
    this.files = new Set(readdirSync(dir).filter((f) => f.endsWith('.xml')));
  }

  /** Every schema of a namespace's family (all its versions and the unversioned one). */
  family(namespaceOrFamily: string): readonly CsdlSchema[] {
    const family = namespaceFamily(namespaceOrFamily);
    let schemas = this.families.get(family);
    if (!schemas) {
      schemas = [];
      const file = `${family}_v1.xml`;
      if (this.files.has(file)) this.readFile(file);
      schemas = this.families.get(family) ?? [];
      this.families.set(family, schemas);
    }
    return schemas;
  }

  /** The files parsed so far, in the order they were first needed. */
  filesRead(): readonly string[] {
    return [...this.read];
  }

  private readFile(file: string): void {
    this.read.add(file);
    const root = parseXml(readFileSync(join(this.dir, file), 'utf8'));
    const edmx = root['edmx:Edmx'];
    for (const schema of children(child(edmx, 'edmx:DataServices'), 'Schema')) {
      const namespace = attr(schema, 'Namespace');
      if (!namespace) continue;
      const family = namespaceFamily(namespace);
      const list = this.families.get(family) ?? [];
      list.push({ namespace, node: schema });
      this.families.set(family, list);
    }
  }
}
