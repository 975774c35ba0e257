/**
 * Which HTTP methods each Redfish resource accepts beyond GET and HEAD, so an unsupported method
 * on an existing resource can be answered 405 with an accurate Allow header. Route plugins
 * declare their mutations here as they register them, and the resources they serve themselves
 * (with no extra methods) so those count as existing.
 */
export class AllowedMethods {
  private readonly entries: { pattern: RegExp; methods: readonly string[] }[] = [];
  /** The Allow header of each path asked about; every GET asks. */
  private readonly allowHeaders = new Map<string, string>();

  /** `path` uses fastify's syntax: `/redfish/v1/Systems/:systemId/Actions/ComputerSystem.Reset`. */
  declare(path: string, methods: readonly string[]): void {
    const source = path
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    this.entries.push({ pattern: new RegExp(`^${source}$`), methods });
    this.allowHeaders.clear();
  }

  /** Whether a route serves this path (resources not kept as views, such as sessions). */
  has(path: string): boolean {
    return this.entries.some((e) => e.pattern.test(path));
  }

  /** The methods a resource accepts, GET and HEAD first, for the Allow header. */
  for(path: string): string[] {
    const extra = this.entries.filter((e) => e.pattern.test(path)).flatMap((e) => e.methods);
    return [...new Set(['GET', 'HEAD', ...extra])];
  }

  /** `for(path)` as an Allow header value, remembered per path. */
  allowHeader(path: string): string {
    let header = this.allowHeaders.get(path);
    if (header === undefined) {
      header = this.for(path).join(', ');
      if (this.allowHeaders.size > 10_000) this.allowHeaders.clear();
      this.allowHeaders.set(path, header);
    }
    return header;
  }
}
