import type { ViewReader } from '../views/view-reader.js';
import type { ViewWriter } from '../eventstore/projector.js';
import { putIfChanged } from './aggregate-state.js';

/**
 * The other names a system answers to, as sushy-tools labs address them: its domain's name and
 * UUID, each mapped to the system's id. A hidden view (no Redfish path), kept by the systems
 * projection, so a rebuild or a time-travel read has them too.
 */
export const SYSTEM_ALIASES_VIEW = '#system-aliases';

type Aliases = Record<string, string>;

/** Records that `alias` names system `systemId`; a name already taken by another system stays with it. */
export function addSystemAlias(views: ViewWriter, position: number, alias: string, systemId: string): void {
  const doc = views.get(SYSTEM_ALIASES_VIEW) ?? { '@odata.id': SYSTEM_ALIASES_VIEW, aliases: {} };
  const aliases = doc['aliases'] as Aliases;
  if (alias === systemId || aliases[alias] !== undefined) return;
  putIfChanged(views, position, { ...doc, aliases: { ...aliases, [alias]: systemId } });
}

/** The id of the system `alias` names, if it names one. */
export function systemIdOfAlias(views: ViewReader, alias: string): string | undefined {
  const stored = views.get(SYSTEM_ALIASES_VIEW);
  if (!stored) return undefined;
  return (JSON.parse(stored.body) as { aliases: Aliases }).aliases[alias];
}
