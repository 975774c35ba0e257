/** The order methods are listed in an Allow header, whatever order routes were added in. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** fastify's path syntax as a regular expression: `:name` is one segment, `*` the rest. */
function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) return '[^/]+';
      if (segment === '*') return '.*';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Which HTTP methods each Redfish resource accepts, so that another method on an existing resource
 * is answered 405 with an accurate Allow header. The server records every route fastify registers
 * (route plugins add theirs with `app.post(...)` as usual and need not declare anything); resources
 * kept as views take GET and HEAD besides. `declare` is for a resource served some other way.
 */
export class AllowedMethods {
  private readonly entries: { pattern: RegExp; methods: readonly string[] }[] = [];
  /** Resources whose methods are found when asked (a mockup lab's, from their schemas). */
  private readonly sources: ((path: string) => readonly string[])[] = [];
  /** The Allow header of each path asked about; every GET asks. */
  private readonly allowHeaders = new Map<string, string>();

  /** `path` uses fastify's syntax: `/redfish/v1/Systems/:systemId/Actions/ComputerSystem.Reset`. */
  declare(path: string, methods: readonly string[]): void {
    this.entries.push({ pattern: patternOf(path), methods: methods.map((m) => m.toUpperCase()) });
    this.allowHeaders.clear();
  }

  /** Methods found per path when first asked for, rather than declared ahead. */
  declareFrom(source: (path: string) => readonly string[]): void {
    this.sources.push(source);
    this.allowHeaders.clear();
  }

  /** Whether a route or a declaration covers this path (resources not kept as views, such as sessions). */
  has(path: string): boolean {
    return this.entries.some((e) => e.pattern.test(path)) || this.sources.some((source) => source(path).length > 0);
  }

  /** The methods a resource accepts; a view, or a GET route, brings GET and HEAD. */
  for(path: string, hasView: boolean): string[] {
    const methods = new Set([
      ...this.entries.filter((e) => e.pattern.test(path)).flatMap((e) => e.methods),
      ...this.sources.flatMap((source) => source(path)),
    ]);
    if (hasView || methods.has('GET')) methods.add('GET').add('HEAD');
    const known = METHOD_ORDER.filter((m) => methods.has(m));
    return [...known, ...[...methods].filter((m) => !METHOD_ORDER.includes(m)).sort()];
  }

  /** `for(path, hasView)` as an Allow header value, remembered per path. */
  allowHeader(path: string, hasView: boolean): string {
    const key = `${hasView ? 'v' : '-'}${path}`;
    let header = this.allowHeaders.get(key);
    if (header === undefined) {
      header = this.for(path, hasView).join(', ');
      if (this.allowHeaders.size > 10_000) this.allowHeaders.clear();
      this.allowHeaders.set(key, header);
    }
    return header;
  }
}
