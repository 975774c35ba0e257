import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { EmulatorConfig } from '../../config/config.js';
import type { EventStore } from '../../eventstore/event-store.js';
import { exportScenario, ScenarioExportError } from '../../scenario/export-scenario.js';
import { RedfishHttpError } from '../redfish-error.js';
import { ADMIN_PREFIX } from './drive-fault-routes.js';
import { requiredQuery } from './required-query.js';

export const SCENARIO_URI = `${ADMIN_PREFIX}/Scenario`;
const PARAMETERS = ['from-mark', 'to-mark'] as const;

/**
 * GET /emulator/v1/Scenario?from-mark=A&to-mark=B: the scenario between two marks as a download,
 * the very file `redfish-emulator scenario export --from-mark A --to-mark B` writes (it is
 * written by the same function, to a temporary file, and sent whole). A mark that does not exist,
 * or marks out of order, are a 400 that names the parameter.
 */
export function registerScenarioRoutes(app: FastifyInstance, store: EventStore, config: EmulatorConfig): void {
  app.get(SCENARIO_URI, async (request, reply) => {
    const marks = requiredQuery(request, PARAMETERS);
    const dir = mkdtempSync(join(tmpdir(), 'redfish-emulator-scenario-'));
    try {
      const file = join(dir, 'scenario.ndjson');
      try {
        await exportScenario(store, config, { fromMark: marks['from-mark']!, toMark: marks['to-mark']! }, file);
      } catch (err) {
        if (!(err instanceof ScenarioExportError)) throw err;
        // Which parameter is at fault: a missing mark names itself; otherwise the range as a whole.
        const named = PARAMETERS.find((name) => err.message.includes(`'${marks[name]}'`)) ?? 'from-mark';
        throw RedfishHttpError.of(400, 'QueryParameterValueError', [named]);
      }
      const fileName = `scenario-${marks['from-mark']}-${marks['to-mark']}.ndjson`;
      return reply
        .header('Content-Disposition', `attachment; filename="${fileName}"`)
        .type('application/x-ndjson; charset=utf-8')
        .send(readFileSync(file));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
