import { createHash } from 'node:crypto';
import type { ScenarioHeader } from './scenario-format.js';

/**
 * The digest a scenario's header carries: sha256 of the header's other members, as written, and
 * of every line after it, each with its newline. Editing any of it (a step, a recorded view, the
 * lab or the range) makes the file be refused.
 */
export function scenarioDigest(header: Omit<ScenarioHeader, 'digest'>, body: string): string {
  return createHash('sha256')
    .update(`${JSON.stringify(header)}\n`)
    .update(body)
    .digest('hex');
}
