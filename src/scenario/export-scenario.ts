import { withCollectionsAssembled } from '../views/assembled-collections.js';
import type { EmulatorConfig } from '../config/config.js';
import type { EventStore } from '../eventstore/event-store.js';
import type { RecordedEvent } from '../eventstore/event.js';
import { schemaVersion } from '../eventstore/migrations.js';
import { eventsOf } from '../eventstore/events-of.js';
import { projectInto } from '../views/rebuild.js';
import { MemoryViews } from '../views/memory-views.js';
import { projectors } from '../projections/catalog.js';
import { diffJson } from '../views/json-diff.js';
import { MARKS_STREAM, type MarkPlaced } from '../domain/marks/marks-decider.js';
import { storageStream } from '../domain/storage/storage-events.js';
import { EMULATOR_VERSION } from '../version.js';
import { ExplainedError } from '../explained-error.js';
import {
  isComparedView,
  labShapeOf,
  SCENARIO_FORMAT,
  SCENARIO_FORMAT_VERSION,
  type LabShape,
  type ScenarioHeader,
  type ScenarioView,
} from './scenario-format.js';
import { scenarioLines, UnreplayableEventError } from './scenario-steps.js';
import { scenarioDigest } from './scenario-digest.js';
import { breathe, PROGRESS_EVERY, type LongWork } from '../progress/long-work.js';
import { writeWholeFile } from '../write-whole-file.js';

/** What to export: positions, or marks (`redfish-emulator mark NAME`), and optionally one client. */
export interface ExportRange {
  readonly fromPosition?: number;
  readonly toPosition?: number;
  readonly fromMark?: string;
  readonly toMark?: string;
  readonly actor?: string;
}

/** The log cannot be exported as asked; nothing was written. */
export class ScenarioExportError extends ExplainedError {}

function markPosition(store: EventStore, name: string): number {
  const mark = store.readStream(MARKS_STREAM).find((event) => (event.data as MarkPlaced['data']).name === name);
  if (!mark) throw new ScenarioExportError(`there is no mark named '${name}' (redfish-emulator mark NAME places one)`);
  return mark.position;
}

/**
 * The lab the log ran against as of a position, from its registrations: what a scenario's lab
 * shape is checked against, so a config that has changed since is not passed off as the lab.
 */
function registeredLab(events: readonly RecordedEvent[]): { systems: string[]; storage: Map<string, unknown> } {
  const systems = new Set<string>();
  const storage = new Map<string, unknown>();
  for (const event of events) {
    if (event.type === 'SystemRegistered') systems.add((event.data as { systemId: string }).systemId);
    if (event.type === 'StorageRegistered') storage.set(event.streamId, event.data);
  }
  return { systems: [...systems].sort(), storage };
}

function checkLab(lab: LabShape, registered: ReturnType<typeof registeredLab>, toPosition: number): void {
  const configured = lab.systems.map((s) => s.id).sort();
  const mismatch = (what: string) =>
    new ScenarioExportError(
      `the log up to position ${toPosition} ran against another lab than this config describes (${what}); export with the config the emulator ran with`,
    );
  if (JSON.stringify(configured) !== JSON.stringify(registered.systems))
    throw mismatch(
      `systems ${registered.systems.join(', ') || 'none'} in the log, ${configured.join(', ') || 'none'} in the config`,
    );
  for (const system of lab.systems) {
    for (const storage of system.storage) {
      const stream = storageStream(system.id, storage.storageId);
      const change = diffJson(registered.storage.get(stream), storage)[0];
      if (change) throw mismatch(`storage ${stream} differs at '${change.path || '/'}'`);
    }
  }
}

/**
 * Writes a scenario: a header (versions, the lab, the range, a digest of the rest), the client
 * steps and the lab's outcomes up to the range's end in log order (those before its start marked
 * as setup), and every Redfish resource as it was at the end of the range, which a replay must
 * reproduce. A path is written whole or not at all (write-whole-file.ts), interrupted or not.
 */
export async function exportScenario(
  store: EventStore,
  config: EmulatorConfig,
  range: ExportRange,
  target: string,
  work: LongWork = {},
  now = new Date(),
): Promise<ScenarioHeader> {
  const last = store.lastPosition();
  const fromPosition = range.fromMark !== undefined ? markPosition(store, range.fromMark) : (range.fromPosition ?? 1);
  const toPosition = range.toMark !== undefined ? markPosition(store, range.toMark) : (range.toPosition ?? last);
  if (toPosition > last) throw new ScenarioExportError(`position ${toPosition} is past the end of the log (${last})`);
  if (fromPosition > toPosition)
    throw new ScenarioExportError(`the range starts (${fromPosition}) after it ends (${toPosition})`);

  const events: RecordedEvent[] = [];
  for (const event of eventsOf(store.db, toPosition)) {
    if (events.push(event) % PROGRESS_EVERY === 0) {
      work.onProgress?.(events.length, toPosition, 'reading');
      await breathe(work.signal);
    }
  }
  const lab = labShapeOf(config);
  checkLab(lab, registeredLab(events), toPosition);
  let lines: ReturnType<typeof scenarioLines>;
  try {
    lines = scenarioLines(events, {
      fromPosition,
      toPosition,
      ...(range.actor !== undefined && { actor: range.actor }),
    });
  } catch (err) {
    if (err instanceof UnreplayableEventError) throw new ScenarioExportError(err.message);
    throw err;
  }
  const projected = new MemoryViews();
  for (let i = 0; i < events.length; i += PROGRESS_EVERY) {
    projectInto(projected, events.slice(i, i + PROGRESS_EVERY), projectors);
    work.onProgress?.(Math.min(i + PROGRESS_EVERY, events.length), events.length, 'projecting');
    await breathe(work.signal);
  }
  const views: ScenarioView[] = withCollectionsAssembled([...projected.rows()])
    .filter((row) => isComparedView(row.odataId))
    .sort((a, b) => (a.odataId < b.odataId ? -1 : 1))
    .map((row) => ({ kind: 'view', resource: row.odataId, body: JSON.parse(row.body) as unknown }));

  const body = [...lines, ...views].map((line) => `${JSON.stringify(line)}\n`).join('');
  const described: Omit<ScenarioHeader, 'digest'> = {
    format: SCENARIO_FORMAT,
    formatVersion: SCENARIO_FORMAT_VERSION,
    schemaVersion: schemaVersion(store.db),
    emulatorVersion: EMULATOR_VERSION,
    exportedAt: now.toISOString(),
    lab,
    range: {
      fromPosition,
      toPosition,
      ...(range.actor !== undefined && { actor: range.actor }),
      ...(range.fromMark !== undefined && { fromMark: range.fromMark }),
      ...(range.toMark !== undefined && { toMark: range.toMark }),
    },
    steps: lines.filter((line) => line.kind === 'step').length,
    outcomes: lines.filter((line) => line.kind === 'outcome').length,
    views: views.length,
  };
  const header: ScenarioHeader = { ...described, digest: scenarioDigest(described, body) };
  await writeWholeFile(target, async (out) => out(`${JSON.stringify(header)}\n${body}`));
  return header;
}
