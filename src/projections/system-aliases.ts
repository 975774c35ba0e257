import type { ViewReader } from '../views/view-reader.js';
import type { ViewWriter } from '../eventstore/projector.js';

/**
 * The other names a system answers to, as sushy-tools labs address them: its domain's name and
 * UUID, each mapped to the system's id. One hidden view (no Redfish path) per alias, kept by the
 * systems projection, so a rebuild or a time-travel read has them too, and a registration
 * writes its own aliases, not a map of every system's.
 */
export const systemAliasId = (alias: string) => `#system-alias:${alias}`;

/** Records that `alias` names system `systemId`; a name already taken by another system stays with it. */
export function addSystemAlias(views: ViewWriter, position: number, alias: string, systemId: string): void {
  if (alias === systemId || views.exists(systemAliasId(alias))) return;
  views.put({ '@odata.id': systemAliasId(alias), systemId }, position);
}

/** The id of the system `alias` names, if it names one. */
export function systemIdOfAlias(views: ViewReader, alias: string): string | undefined {
  const stored = views.get(systemAliasId(alias));
  return stored && (JSON.parse(stored.body) as { systemId: string }).systemId;
}
