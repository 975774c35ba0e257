import type { SqliteDatabase } from './database.js';

/** A type asked for that nothing records, with the known types nearest to it (none when nothing is close). */
export interface UnknownEventType {
  readonly type: string;
  readonly nearest: readonly string[];
  /** Every type it could have been: the build's and the log's. */
  readonly known: readonly string[];
}

/** Edits (insert, delete, substitute) from `a` to `b`, case aside. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++)
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1)));
    previous = row;
  }
  return previous[y.length]!;
}

/** The known types a mistyped or partial one most likely meant: those containing it, or a few edits away. */
function nearest(type: string, known: readonly string[]): string[] {
  const lower = type.toLowerCase();
  const close = Math.max(2, Math.floor(type.length / 4));
  return known
    .map((candidate) => ({ candidate, edits: candidate.toLowerCase().includes(lower) ? 0 : distance(type, candidate) }))
    .filter(({ edits }) => edits <= close)
    .sort((a, b) => a.edits - b.edits || a.candidate.localeCompare(b.candidate))
    .slice(0, 5)
    .map(({ candidate }) => candidate);
}

/**
 * The types of a history filter that match nothing that can exist: no event type of this build
 * (`buildTypes`) and none this log holds (an older build's, or a test's). Such a filter is a
 * mistake, and listing nothing would hide it.
 */
export function unknownEventTypes(
  db: SqliteDatabase,
  types: readonly string[],
  buildTypes: readonly string[],
): UnknownEventType[] {
  const inLog = db.prepare('SELECT 1 FROM events WHERE type = ? LIMIT 1');
  const unknown = types.filter((type) => !buildTypes.includes(type) && inLog.get(type) === undefined);
  if (unknown.length === 0) return [];
  const logTypes = db.prepare('SELECT DISTINCT type FROM events').pluck().all() as string[];
  const known = [...new Set([...buildTypes, ...logTypes])].sort();
  return unknown.map((type) => ({ type, nearest: nearest(type, known), known }));
}
