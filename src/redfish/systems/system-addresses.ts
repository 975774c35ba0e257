import type { ViewReader } from '../../views/view-reader.js';
import { systemIdOfAlias } from '../../projections/system-aliases.js';
import { systemStream } from '../../domain/system/system-events.js';

const UNDER_A_SYSTEM = /^\/redfish\/v1\/Systems\/([^/?#]+)(.*)$/s;

/**
 * Lets a system answer at its domain's name and UUID as well as at its id (the addresses that
 * Ironic nodes and BareMetalHosts made for sushy-tools carry), by rewriting the request's URL
 * before routing: every route and view then serves the one resource, under its canonical
 * @odata.id. A system's own id always wins over another's alias.
 */
export function systemAddressRewriter(views: ViewReader): (url: string) => string {
  return (url) => {
    const match = UNDER_A_SYSTEM.exec(url);
    if (!match) return url;
    let segment: string;
    try {
      segment = decodeURIComponent(match[1]!);
    } catch {
      return url;
    }
    if (views.get(systemStream(segment))) return url;
    const systemId = systemIdOfAlias(views, segment);
    return systemId === undefined ? url : `${systemStream(encodeURIComponent(systemId))}${match[2]}`;
  };
}
