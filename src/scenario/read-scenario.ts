import { readFileSync } from 'node:fs';
import { ExplainedError } from '../explained-error.js';
import { scenarioDigest } from './scenario-digest.js';
import { parseFileHeader } from '../eventstore/file-header.js';
import {
  SCENARIO_FORMAT,
  SCENARIO_FORMAT_VERSION,
  type ScenarioHeader,
  type ScenarioOutcome,
  type ScenarioStep,
  type ScenarioView,
} from './scenario-format.js';

/** The file is not a scenario this build can replay; nothing was applied. */
export class ScenarioFileError extends ExplainedError {}

export interface Scenario {
  readonly header: ScenarioHeader;
  /** The client steps and the lab's outcomes, in log order. */
  readonly lines: readonly (ScenarioStep | ScenarioOutcome)[];
  readonly views: readonly ScenarioView[];
}

function parseHeader(line: string, knownSchema: number): ScenarioHeader {
  const refuse = (message: string) => new ScenarioFileError(message);
  const header = parseFileHeader<ScenarioHeader>(line, {
    kind: 'scenario',
    format: SCENARIO_FORMAT,
    formatVersion: SCENARIO_FORMAT_VERSION,
    knownSchema,
    refuse,
  });
  if (
    typeof header.digest !== 'string' ||
    typeof header.steps !== 'number' ||
    typeof header.outcomes !== 'number' ||
    typeof header.views !== 'number' ||
    typeof header.lab !== 'object' ||
    typeof header.range !== 'object'
  ) {
    throw new ScenarioFileError('the header lacks its digest, counts, lab or range');
  }
  return header as ScenarioHeader;
}

function checkStep(value: Partial<ScenarioStep>, lineNumber: number, knownCommands: ReadonlySet<string>): ScenarioStep {
  const wrong = (why: string) => new ScenarioFileError(`line ${lineNumber}: ${why}`);
  for (const key of ['streamId', 'actor', 'recordedAt'] as const)
    if (typeof value[key] !== 'string') throw wrong(`the step's '${key}' must be a string`);
  if (typeof value.position !== 'number') throw wrong("the step's 'position' must be a number");
  if (typeof value.command !== 'object' || value.command === null || typeof value.command.type !== 'string')
    throw wrong('the step has no command');
  if (!knownCommands.has(value.command.type)) throw wrong(`command ${value.command.type} is not one this build knows`);
  if (!Array.isArray(value.events)) throw wrong("the step's 'events' must be a list");
  return value as ScenarioStep;
}

function checkOutcome(value: Partial<ScenarioOutcome>, lineNumber: number): ScenarioOutcome {
  for (const key of ['streamId', 'actor', 'type', 'recordedAt'] as const) {
    if (typeof value[key] !== 'string')
      throw new ScenarioFileError(`line ${lineNumber}: the outcome's '${key}' must be a string`);
  }
  if (!('data' in value)) throw new ScenarioFileError(`line ${lineNumber}: the outcome has no data`);
  return value as ScenarioOutcome;
}

/**
 * Reads and checks a whole scenario file before anything is done with it: header, versions, the
 * digest of the header and every line after it (an edited file is refused), the counts of steps,
 * outcomes and views (a truncated one is too), and that every command is one this build can send again.
 */
export function readScenario(file: string, knownSchema: number, knownCommands: ReadonlySet<string>): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioFileError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const newline = text.indexOf('\n');
  if (text.trim() === '') throw new ScenarioFileError('the file is empty');
  const header = parseHeader(newline < 0 ? text : text.slice(0, newline), knownSchema);
  const body = newline < 0 ? '' : text.slice(newline + 1);
  const lines = body.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length !== header.steps + header.outcomes + header.views) {
    throw new ScenarioFileError(
      `the header announces ${header.steps} steps, ${header.outcomes} outcomes and ${header.views} views, the file has ${lines.length} lines after it: it is truncated or edited`,
    );
  }
  const { digest, ...described } = header;
  if (scenarioDigest(described, body) !== digest) {
    throw new ScenarioFileError(
      "the file's content does not match the digest in its header: it was edited or damaged after export",
    );
  }
  const steps: (ScenarioStep | ScenarioOutcome)[] = [];
  const views: ScenarioView[] = [];
  lines.forEach((line, i) => {
    let value: Partial<ScenarioStep | ScenarioOutcome | ScenarioView>;
    try {
      value = JSON.parse(line) as Partial<ScenarioStep | ScenarioOutcome | ScenarioView>;
    } catch {
      throw new ScenarioFileError(`line ${i + 2}: not valid JSON`);
    }
    if (value.kind === 'step' && views.length === 0)
      steps.push(checkStep(value as Partial<ScenarioStep>, i + 2, knownCommands));
    else if (value.kind === 'outcome' && views.length === 0)
      steps.push(checkOutcome(value as Partial<ScenarioOutcome>, i + 2));
    else if (value.kind === 'view' && typeof (value as ScenarioView).resource === 'string')
      views.push(value as ScenarioView);
    else throw new ScenarioFileError(`line ${i + 2}: neither a step, an outcome nor a view (views come last)`);
  });
  return { header, lines: steps, views };
}
