import { LoopHealth } from '../health/loop-health.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorConfig } from '../config/config.js';
import type { EventStore } from '../eventstore/event-store.js';
import { executeClientCommand } from '../eventstore/execute-command.js';
import { newestSchemaVersion } from '../eventstore/migrations.js';
import { diffJson } from '../views/json-diff.js';
import { openConfiguredStore, storeFile } from '../open-configured-store.js';
import { openEventStore } from '../views/open-store.js';
import { PROJECTION_VERSION, projectors } from '../projections/catalog.js';
import { rebuildViews } from '../views/rebuild.js';
import { ensureServiceCreated } from '../service-identity.js';
import { readConfiguredAccounts, recordConfiguredAccounts } from '../redfish/auth/configured-accounts.js';
import { labSystems } from '../lab/lab-systems.js';
import { registerSystems } from '../lab/register-systems.js';
import { startMockupLab } from '../mockup/mockup-lab.js';
import { LabRuntime } from '../lab/lab-runtime.js';
import { ExplainedError } from '../explained-error.js';
import { CLIENT_COMMANDS, clientAggregateOf } from './client-commands.js';
import { compareViews, type ViewDifference } from './compare-views.js';
import { readScenario, type Scenario } from './read-scenario.js';
import {
  isComparedView,
  labShapeOf,
  type ScenarioOutcome,
  type ScenarioStep,
  type StepRefusal,
} from './scenario-format.js';
import { RedfishHttpError } from '../redfish/redfish-error.js';
import { outcomeKey } from './scenario-steps.js';
import { labInventory, newSandbox, removeSandbox, type LabInventory, type Sandbox } from './sandbox.js';
import { breathe, InterruptedError } from '../progress/long-work.js';
import type { ReplayProgressState } from '../progress/progress-line.js';
import { allViews } from '../views/sqlite-views.js';
import { withCollectionsAssembled } from '../views/assembled-collections.js';

export interface ReplayOptions {
  /** 'fast': each step as soon as the one before has its outcomes; 'original': also no sooner than it was recorded. */
  readonly pace: 'fast' | 'original';
  /** How long a step's outcomes (a reset carried out, a power change seen) are waited for. */
  readonly waitSeconds: number;
  /** Leave the sandbox (store, pool, domains) in place to look at. */
  readonly keep: boolean;
  /** Without the lab: no libvirt; the lab's outcomes are recorded as they were recorded. */
  readonly withLab: boolean;
  /** Where the fresh store goes (a temporary directory when absent); must hold no store yet. */
  readonly dataDir?: string;
  readonly log?: (line: string) => void;
  /** Aborted: the replay stops at the step it is at, removes the sandbox (unless `keep`) and reports what it saw so far. */
  readonly signal?: AbortSignal;
  /** Where the replay is: called at each step, and a few times a second while a step waits for its outcomes. */
  readonly onProgress?: (state: ReplayProgressState) => void;
  /** Called once the sandbox has its names, before anything is made: where it is, should the replay be killed. */
  readonly onSandbox?: (place: SandboxPlace) => void;
}

/** Where a replay's sandbox is: its store and, with a lab, its libvirt pool and domains. */
export interface SandboxPlace {
  readonly suffix: string;
  readonly dataDir: string;
  readonly pool?: string;
  readonly domains: readonly string[];
}

/** A step whose replay did not go as recorded. */
export interface StepDifference {
  readonly position: number;
  readonly command: string;
  /** What was recorded, and what the replay decided (or the Base MessageId it was refused with). */
  readonly recorded: readonly string[];
  readonly replayed: readonly string[] | { readonly refused: string };
}

/** Outcomes a step had when recorded that the replay did not see within the wait. */
export interface OutcomeDifference {
  readonly position: number;
  readonly missing: readonly string[];
}

export interface ReplayReport {
  /** True when every step decided as recorded, every outcome came, and the views are equal. */
  readonly equal: boolean;
  readonly steps: number;
  readonly setupSteps: number;
  readonly events: number;
  readonly durationMs: number;
  readonly stepDifferences: readonly StepDifference[];
  readonly outcomeDifferences: readonly OutcomeDifference[];
  readonly viewDifferences: readonly ViewDifference[];
  readonly sandbox: SandboxPlace & { readonly kept: boolean };
  /** Set when the replay was interrupted: the report is of the steps up to `atStep` (whose outcomes may not all have come), without comparing views. */
  readonly interrupted?: { readonly atStep: number; readonly steps: number };
  /** The sandbox's libvirt objects at the end, under the lab's own names. */
  readonly inventory?: LabInventory;
}

/** The scenario cannot be replayed here; nothing was applied. */
export class ScenarioReplayError extends ExplainedError {}

/**
 * Everything checked before a replay touches anything: the file (scenario-format.ts), and that
 * this config's lab is the one the scenario was recorded on.
 */
export function loadScenarioFor(file: string, config: EmulatorConfig): Scenario {
  const scenario = readScenario(file, newestSchemaVersion(), CLIENT_COMMANDS);
  const change = diffJson(scenario.header.lab, labShapeOf(config))[0];
  if (change) {
    const recorded = 'previous' in change ? JSON.stringify(change.previous) : 'nothing';
    const here = 'value' in change ? JSON.stringify(change.value) : 'nothing';
    throw new ScenarioReplayError(
      `the scenario was recorded on another lab: at lab${change.path} it has ${recorded}, this config ${here}; replay it with the config it was recorded with`,
    );
  }
  for (const step of scenario.lines) {
    if (step.kind === 'step' && !clientAggregateOf(step.streamId)?.commands.has(step.command.type)) {
      throw new ScenarioReplayError(
        `the step at position ${step.position} sends ${step.command.type} to ${step.streamId}, which takes no such command`,
      );
    }
  }
  return scenario;
}

/** The outcomes the sandbox's lab has produced and no step has claimed yet, by key. */
class OutcomePool {
  private readonly unclaimed = new Map<string, number>();
  private cursor: number;

  constructor(private readonly store: EventStore) {
    this.cursor = store.lastPosition();
  }

  private take(): void {
    for (
      let events = this.store.readAfter(this.cursor);
      events.length > 0;
      events = this.store.readAfter(this.cursor)
    ) {
      for (const event of events) {
        const key = outcomeKey({ ...event, actor: event.meta.actor ?? '' });
        if (key !== undefined) this.unclaimed.set(key, (this.unclaimed.get(key) ?? 0) + 1);
        this.cursor = event.position;
      }
    }
  }

  /**
   * Claims `keys` as they come; answers those still missing when the wait is over. `onWait` is
   * told what is still awaited at every look; an abort of `signal` ends the wait with an
   * InterruptedError.
   */
  async claim(
    keys: readonly string[],
    waitMs: number,
    signal?: AbortSignal,
    onWait?: (wanted: readonly string[], waitedMs: number, leftMs: number) => void,
  ): Promise<string[]> {
    if (keys.length === 0) return [];
    let wanted = [...keys];
    const started = Date.now();
    const deadline = started + waitMs;
    for (;;) {
      if (signal?.aborted) throw new InterruptedError();
      this.take();
      wanted = wanted.filter((key) => {
        const count = this.unclaimed.get(key) ?? 0;
        if (count === 0) return true;
        this.unclaimed.set(key, count - 1);
        return false;
      });
      if (wanted.length === 0 || Date.now() >= deadline) return wanted;
      onWait?.(wanted, Date.now() - started, deadline - Date.now());
      await pause(50, signal);
    }
  }
}

/** Waits `ms`, or less if `signal` is aborted meanwhile (then an InterruptedError). */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: () => void = () => undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(resolve, ms);
      onAbort = () => reject(new InterruptedError());
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Waits for `promise`; rejects with "`what` within N s" after `seconds`, or with an
 * InterruptedError as soon as `signal` is aborted.
 */
async function deadline<T>(promise: Promise<T>, seconds: number, what: string, signal?: AbortSignal): Promise<T> {
  const settled = new AbortController();
  const late = pause(seconds * 1000, signal ? AbortSignal.any([signal, settled.signal]) : settled.signal).then(
    (): never => {
      throw new ScenarioReplayError(`${what} within ${seconds} s`);
    },
  );
  // Once `promise` has won, ending the pause rejects `late` too: nobody waits for it then.
  late.catch(() => undefined);
  try {
    return await Promise.race([promise, late]);
  } finally {
    settled.abort();
  }
}

/** The lab of a replay with libvirt runs these: it records their outcomes itself, and the replay waits for them. */
const SANDBOX_LAB_ACTORS: ReadonlySet<string> = new Set(['reconciler', 'libvirt-observer']);

/** An outcome recorded as the lab recorded it, where no lab of the replay's own makes it. */
function recordOutcome(store: EventStore, outcome: ScenarioOutcome): void {
  const ids = {
    ...(outcome.requestId !== undefined && { requestId: outcome.requestId }),
    ...(outcome.causationId !== undefined && { causationId: outcome.causationId }),
  };
  store.append({
    streamId: outcome.streamId,
    expectedVersion: 'any',
    events: [{ type: outcome.type, data: outcome.data }],
    meta: { actor: outcome.actor, ...ids },
  });
}

/** A refusal as a step difference names it: '400 Base.1.22.PropertyValueNotInList'. */
const refusalText = (refusal: StepRefusal) => `${refusal.status} ${refusal.messageIds.join(', ')}`;

/** Sends one step's command again, as the client it came from, and compares what is decided. */
function replayStep(store: EventStore, step: ScenarioStep): StepDifference | undefined {
  const aggregate = clientAggregateOf(step.streamId)!;
  const outcome = executeClientCommand(store, step.streamId, aggregate.decider, step.command, {
    actor: step.actor,
    ...(step.requestId !== undefined && { requestId: step.requestId }),
  });
  if (step.refused) {
    // Expected refused: the same status and MessageIds again, or a difference.
    const expected = refusalText(step.refused);
    const difference = { position: step.position, command: step.command.type, recorded: [`refused ${expected}`] };
    if (outcome.ok) return { ...difference, replayed: outcome.events.map((e) => e.type) };
    const refusal = RedfishHttpError.fromProblems([outcome.problem]);
    const replayed = refusalText({ status: refusal.status, messageIds: refusal.messages.map((m) => m.MessageId) });
    return replayed === expected ? undefined : { ...difference, replayed: { refused: replayed } };
  }
  const difference = { position: step.position, command: step.command.type, recorded: step.events };
  if (!outcome.ok) return { ...difference, replayed: { refused: outcome.problem.messageId } };
  const replayed = outcome.events.map((e) => e.type);
  return JSON.stringify(replayed) === JSON.stringify(step.events) ? undefined : { ...difference, replayed };
}

/** The sandbox's Redfish resources, under the lab's own names. */
function replayedViews(store: EventStore, sandbox: Sandbox): Map<string, unknown> {
  const views = new Map<string, unknown>();
  for (const row of withCollectionsAssembled(allViews(store.db)))
    if (isComparedView(row.odataId)) views.set(row.odataId, JSON.parse(row.body.replaceAll(sandbox.suffix, '')));
  return views;
}

function unsandboxed(inventory: LabInventory, sandbox: Sandbox): LabInventory {
  return JSON.parse(JSON.stringify(inventory).replaceAll(sandbox.suffix, '')) as LabInventory;
}

/**
 * Replays a scenario onto a fresh store and a fresh lab: a sandbox pool and domains of its own
 * (sandbox.ts), made as the config describes them. Each step's command is sent again as its
 * client sent it and decided on the state the replay has; the reconciler carries it out on
 * libvirt, and the replay waits for the outcomes the recording had before the next step. The
 * report lists every difference: steps decided otherwise, outcomes that did not come, and
 * resources whose views differ from the recorded ones.
 */
export async function replayScenario(
  scenario: Scenario,
  config: EmulatorConfig,
  options: ReplayOptions,
): Promise<ReplayReport> {
  const log = options.log ?? (() => undefined);
  const { signal } = options;
  const started = Date.now();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'redfish-emulator-replay-'));
  const sandbox = newSandbox(config, dataDir);
  if (options.dataDir !== undefined && existsSync(storeFile(sandbox.config))) {
    throw new ScenarioReplayError(`${storeFile(sandbox.config)} already exists: replay into a new, empty --data-dir`);
  }
  const place: SandboxPlace = {
    suffix: sandbox.suffix,
    dataDir,
    ...(sandbox.config.libvirt.pool && { pool: sandbox.config.libvirt.pool.name }),
    domains: labSystems(sandbox.config).map((s) => s.domainName),
  };
  options.onSandbox?.(place);
  // Without a lab nothing reads the views while the lines go in: they are projected once, at the end.
  const { store } = options.withLab
    ? openConfiguredStore(sandbox.config)
    : openEventStore({
        file: storeFile(sandbox.config),
        projectors: [],
        projectionVersion: PROJECTION_VERSION,
        durability: sandbox.config.database.durability,
      });
  let lab: LabRuntime | undefined;
  let labReady = false;
  let inventory: LabInventory | undefined;
  const steps = scenario.lines.filter((line): line is ScenarioStep => line.kind === 'step');
  const stepDifferences: StepDifference[] = [];
  const outcomeDifferences: OutcomeDifference[] = [];
  /** The step under way, counted from 1 (0 before the first), for progress and an interrupted report. */
  let current: { index: number; step?: ScenarioStep } = { index: 0 };
  const progress = (waiting?: ReplayProgressState['waiting']) =>
    options.onProgress?.({
      step: current.index,
      steps: steps.length,
      ...(current.step && { command: current.step.command.type, setup: current.step.setup }),
      ...(waiting && { waiting }),
      differences: stepDifferences.length + outcomeDifferences.length,
    });
  try {
    // What a start records, in the order it records it: the service, the lab (a mockup lab from
    // its tree), then the accounts, which take the place of a tree's own AccountService.
    ensureServiceCreated(store);
    const systems = labSystems(sandbox.config);
    const mockup = sandbox.config.lab.mockup;
    if (mockup) for (const line of startMockupLab(store, mockup)) log(line);
    else registerSystems(store, systems);
    recordConfiguredAccounts(store, config, readConfiguredAccounts(config));
    // From here on: what the lab records as it starts (the power it finds) is awaited too.
    const outcomes = new OutcomePool(store);
    let interrupted: ReplayReport['interrupted'];
    try {
      if (options.withLab && !mockup && (systems.length > 0 || sandbox.config.libvirt.pool)) {
        log(
          `sandbox: pool ${sandbox.config.libvirt.pool?.name ?? '(none)'}, domains ${systems.map((s) => s.domainName).join(', ')}`,
        );
        lab = new LabRuntime(store, sandbox.config, systems, log, new LoopHealth(log), {
          resyncIntervalMs: 1000,
          retryMs: 2000,
        });
        await deadline(lab.ready, options.waitSeconds, 'the sandbox lab was not ready (libvirt unreachable?)', signal);
        labReady = true;
      }
      /** Outcomes the sandbox's lab is to produce before the next step, and the step they follow. */
      let awaited: string[] = [];
      let after = 0;
      const settle = async () => {
        const missing = await outcomes.claim(
          awaited,
          options.waitSeconds * 1000,
          signal,
          (wanted, waitedMs, patienceLeftMs) => progress({ outcomes: wanted, waitedMs, patienceLeftMs }),
        );
        if (missing.length > 0) outcomeDifferences.push({ position: after, missing });
        awaited = [];
      };
      const firstInRange = steps.find((s) => !s.setup);
      const rangeStart = Date.now();
      const apply = (line: ScenarioStep | ScenarioOutcome) => {
        if (line.kind === 'outcome') {
          // The sandbox's own lab records these; the replay waits for those two runs agree on.
          if (!lab || !SANDBOX_LAB_ACTORS.has(line.actor)) return recordOutcome(store, line);
          const key = outcomeKey(line);
          if (key !== undefined) awaited.push(key);
          return;
        }
        current = { index: current.index + 1, step: line };
        const difference = replayStep(store, line);
        if (difference) stepDifferences.push(difference);
        after = line.position;
      };
      if (!lab && options.pace === 'fast') {
        // Nothing to wait for: the lines go in by the thousand, one SQLite transaction each.
        for (let i = 0; i < scenario.lines.length; i += 1000) {
          store.db.transaction(() => scenario.lines.slice(i, i + 1000).forEach(apply))();
          progress();
          await breathe(signal);
        }
      } else {
        for (const line of scenario.lines) {
          if (line.kind === 'step') {
            await settle();
            if (options.pace === 'original' && !line.setup && firstInRange) {
              const due = rangeStart + (Date.parse(line.recordedAt) - Date.parse(firstInRange.recordedAt));
              if (due > Date.now()) await pause(due - Date.now(), signal);
            }
            if (signal?.aborted) throw new InterruptedError();
          }
          apply(line);
          if (line.kind === 'step') progress();
        }
      }
      await settle();
    } catch (err) {
      if (!(err instanceof InterruptedError)) throw err;
      interrupted = { atStep: current.index, steps: steps.length };
      log(`interrupted at step ${current.index} of ${steps.length}${options.keep ? '' : ': removing the sandbox'}`);
    }
    let viewDifferences: ViewDifference[] = [];
    if (!interrupted) {
      if (!lab) rebuildViews(store.db, projectors);
      const recorded = new Map(scenario.views.map((v) => [v.resource, v.body]));
      viewDifferences = compareViews(recorded, replayedViews(store, sandbox));
      if (lab) inventory = unsandboxed(await labInventory(sandbox.config), sandbox);
    }
    return {
      equal:
        !interrupted && stepDifferences.length === 0 && outcomeDifferences.length === 0 && viewDifferences.length === 0,
      steps: steps.length,
      setupSteps: steps.filter((s) => s.setup).length,
      events: store.lastPosition(),
      durationMs: Date.now() - started,
      stepDifferences,
      outcomeDifferences,
      viewDifferences,
      sandbox: { ...place, kept: options.keep },
      ...(interrupted && { interrupted }),
      ...(inventory && { inventory }),
    };
  } finally {
    // Interrupted while starting, the lab may still be defining the sandbox's pool and domains:
    // that is let finish (closing does not stop it), so nothing is defined after the removal.
    if (lab && !labReady) await deadline(lab.ready, 30, 'the sandbox lab start').catch(() => undefined);
    await lab?.close();
    store.db.close();
    if (!options.keep) {
      if (lab) await removeSandbox(sandbox);
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
