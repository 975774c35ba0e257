import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExplainedError } from '../explained-error.js';

/** One resource of a mockup as imported: its document and, when the tree has one, its GET headers. */
export interface MockupResource {
  readonly document: Record<string, unknown>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Something wrong with a tree, and the file it is in. */
export interface MockupProblem {
  readonly file: string;
  readonly problem: string;
}

export interface MockupTree {
  readonly dir: string;
  /** Parents before children, the service root first. */
  readonly resources: readonly MockupResource[];
  readonly problems: readonly MockupProblem[];
}

/** A tree that cannot be served: the message names the file of each problem. */
export class MockupTreeError extends ExplainedError {}

const SERVICE_ROOT = '/redfish/v1';

/** What the service answers itself from the schemas it serves: a mockup's own copies are left out. */
const SERVICE_OWN = new Set(['odata', '$metadata']);

/**
 * Headers a recorded response carried that describe that one transfer, or that this service
 * sets itself from its own state (its ETag is the log position, its Allow what it accepts).
 */
const OWN_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'date',
  'content-encoding',
  'etag',
  'allow',
  'odata-version',
  'content-type',
  'cache-control',
  'set-cookie',
  'x-auth-token',
]);

/** '/redfish/v1/' and '/redfish/v1' are one resource, as the server's paths are. */
export function normalizeOdataId(id: string): string {
  return id.length > 1 ? id.replace(/\/+$/, '') : id;
}

/**
 * Every resource file of the tree, parents first: a folder's index.json is the folder's
 * resource; any other .json file (a registry file, `Registries/Base.1.5.0.json`) is served at
 * its own name.
 */
function resourceFiles(dir: string): { file: string; path: readonly string[] }[] {
  const found: { file: string; path: readonly string[] }[] = [];
  const walk = (at: string, path: readonly string[]) => {
    if (existsSync(join(at, 'index.json'))) found.push({ file: join(at, 'index.json'), path });
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && !(at === dir && SERVICE_OWN.has(entry.name)))
        walk(join(at, entry.name), [...path, entry.name]);
      else if (
        entry.isFile() &&
        at !== dir &&
        entry.name.endsWith('.json') &&
        !['index.json', 'headers.json'].includes(entry.name)
      )
        found.push({ file: join(at, entry.name), path: [...path, entry.name] });
    }
  };
  walk(dir, []);
  return found;
}

/**
 * DMTF's copyright notice on every file of its bundles: the files' licence, not part of the
 * resource (DMTF's Mockup Server leaves it out too, and the Service Validator fails it).
 */
const NOT_OF_THE_RESOURCE = '@Redfish.Copyright';

/** Every `@odata.id` a document links to, however deep. */
function linksOf(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) linksOf(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '@odata.id' && typeof item === 'string') into.push(item);
      else linksOf(item, into);
    }
  }
  return into;
}

function readHeaders(file: string, problems: MockupProblem[]): Record<string, string> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const get = (parsed['GET'] ?? parsed) as Record<string, unknown>;
    const kept = Object.entries(get).filter(
      ([name, value]) => typeof value === 'string' && !OWN_HEADERS.has(name.toLowerCase()),
    );
    return kept.length > 0 ? Object.fromEntries(kept as [string, string][]) : undefined;
  } catch (err) {
    problems.push({ file, problem: `not valid JSON: ${(err as Error).message}` });
    return undefined;
  }
}

/**
 * Reads a mockup in DMTF's layout (DSP2043: a folder per resource under the service root, each
 * with `index.json` and optionally `headers.json`). The folder is the resource's path; a
 * document whose `@odata.id` says otherwise, a file that is not JSON, a link to a resource the
 * tree does not have (and `served` does not answer) are listed as problems, never thrown.
 */
export function readMockupTree(dir: string, served: (odataId: string) => boolean = () => false): MockupTree {
  if (!existsSync(join(dir, 'index.json'))) {
    return {
      dir,
      resources: [],
      problems: [
        {
          file: join(dir, 'index.json'),
          problem: 'missing: a mockup starts with its service root, /redfish/v1, in index.json at the top of the tree',
        },
      ],
    };
  }
  const problems: MockupProblem[] = [];
  const resources: MockupResource[] = [];
  for (const { file, path } of resourceFiles(dir)) {
    const odataId = [SERVICE_ROOT, ...path].join('/');
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      problems.push({ file, problem: `not valid JSON: ${(err as Error).message}` });
      continue;
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      problems.push({ file, problem: 'not a JSON object' });
      continue;
    }
    const { [NOT_OF_THE_RESOURCE]: _notice, ...doc } = document as Record<string, unknown>;
    const own = doc['@odata.id'];
    if (typeof own === 'string' && normalizeOdataId(own.split('#')[0]!) !== odataId) {
      problems.push({ file, problem: `its @odata.id ${own} is not its place in the tree, ${odataId}` });
    }
    if (typeof doc['@odata.type'] !== 'string') problems.push({ file, problem: 'has no @odata.type' });
    const headers = file.endsWith('index.json') ? readHeaders(join(file, '..', 'headers.json'), problems) : undefined;
    resources.push({ document: { ...doc, '@odata.id': odataId }, ...(headers && { headers }) });
  }
  const present = new Set(resources.map((r) => r.document['@odata.id'] as string));
  if (!present.has(SERVICE_ROOT)) return { dir, resources, problems };
  for (const resource of resources) {
    const from = resource.document['@odata.id'] as string;
    const missing = [...new Set(linksOf(resource.document).map((l) => normalizeOdataId(l.split('#')[0]!)))].filter(
      (l) => l.startsWith(`${SERVICE_ROOT}/`) && l !== from && !present.has(l) && !served(l),
    );
    if (missing.length > 0) {
      const file = join(dir, ...from.split('/').slice(3), 'index.json');
      problems.push({
        file,
        problem: `links to ${missing.length === 1 ? 'a resource' : 'resources'} the tree does not have: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`,
      });
    }
  }
  return { dir, resources, problems };
}

/** What to do with a tree that has problems: refuse it (the default), or serve what can be and list them. */
export type MockupProblemPolicy = 'refuse' | 'list';

/** The tree as it may be served under the policy; throws a MockupTreeError naming each file otherwise. */
export function acceptMockupTree(tree: MockupTree, policy: MockupProblemPolicy): MockupTree {
  const fatal = tree.resources.every((r) => r.document['@odata.id'] !== SERVICE_ROOT);
  if (tree.problems.length > 0 && (policy === 'refuse' || fatal)) {
    const lines = tree.problems.slice(0, 20).map((p) => `  ${p.file}: ${p.problem}`);
    if (tree.problems.length > 20) lines.push(`  … and ${tree.problems.length - 20} more`);
    const hint = fatal ? '' : '\n(lab.mockup.problems "list" serves it anyway, with these listed at start)';
    throw new MockupTreeError(
      `the mockup ${tree.dir} is not a Redfish tree that can be served:\n${lines.join('\n')}${hint}`,
    );
  }
  return tree;
}
