import { diffJson, type JsonChange } from '../views/json-diff.js';

/** A resource that differs between the recording and the replay, and how. */
export interface ViewDifference {
  readonly resource: string;
  /** 'missing': recorded, not replayed; 'extra': replayed, not recorded. */
  readonly kind: 'missing' | 'extra' | 'changed';
  readonly changes: readonly JsonChange[];
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const DATE_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\b/g;

/**
 * What two runs of the same commands cannot share, made equal: times (every event is recorded
 * when it happens) and UUIDs (the service's and each new domain's are drawn afresh). Everything
 * else, ids, names, states, capacities, links, messages, must be the same.
 */
export function normalizeView(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body).replace(UUID, '<uuid>').replace(DATE_TIME, '<date-time>')) as unknown;
}

/**
 * Every difference between the recorded resources and the replayed ones, after normalizing
 * both, in resource order.
 */
export function compareViews(
  recorded: ReadonlyMap<string, unknown>,
  replayed: ReadonlyMap<string, unknown>,
): ViewDifference[] {
  const differences: ViewDifference[] = [];
  for (const resource of [...new Set([...recorded.keys(), ...replayed.keys()])].sort()) {
    const before = recorded.get(resource);
    const after = replayed.get(resource);
    if (after === undefined) differences.push({ resource, kind: 'missing', changes: [] });
    else if (before === undefined) differences.push({ resource, kind: 'extra', changes: [] });
    else {
      const changes = diffJson(normalizeView(before), normalizeView(after));
      if (changes.length > 0) differences.push({ resource, kind: 'changed', changes });
    }
  }
  return differences;
}
