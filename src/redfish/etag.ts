import type { StoredView } from '../eventstore/projector.js';

/** A view's ETag: weak, because the body is re-serialised JSON; it changes with every event that touches it. */
export function etagOf(view: StoredView): string {
  return `W/"${view.position}"`;
}

/** Whether an If-None-Match / If-Match header value names this ETag (or is '*'). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}
