import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/app.js';
import { openEventStore } from '../../src/views/open-store.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { storeFile } from '../../src/open-configured-store.js';
import { PROJECTION_VERSION } from '../../src/projections/catalog.js';
import { REFUSALS_STREAM, type RequestRefusalsDropped } from '../../src/domain/refusals/refusal-events.js';
import { testConfig } from '../support/config.js';
import { runCli } from '../support/run-cli.js';

/*
 * A burst of refused requests is bounded: 10,000 of them add at most the window's limits in
 * RequestRefused events, and one RequestRefusalsDropped that counts the rest.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-refused-burst-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BURST = 10_000;
const PATHS = 20;

describe('a burst of refused requests', { timeout: 180_000 }, () => {
  it('adds at most the limits and one summary that says how many were left out', async () => {
    const { config } = testConfig(dir, { refusedRequests: { perActorAndPath: 10, total: 100, windowSeconds: 3600 } });
    const emulator = await startEmulator(config);
    const before = emulator.store.lastPosition();
    let sent = 0;
    const client = async () => {
      while (sent < BURST) {
        const i = sent++;
        // 20 paths: the per-path limit (10) alone would keep 200; the total keeps 100.
        const response = await fetch(`${emulator.url}/redfish/v1/Systems/none-${i % PATHS}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: '{"AssetTag": "x"}',
        });
        expect(response.status).toBe(404);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 16 }, client));
    const during = emulator.store.lastPosition() - before;
    // The window's count is written when it ends: here, at close.
    await emulator.close();

    const { store } = openEventStore({
      file: storeFile(config),
      projectors: [],
      projectionVersion: PROJECTION_VERSION,
      durability: 'process',
    });
    try {
      const events = queryHistory(store.db, { streamId: REFUSALS_STREAM, limit: 100_000 });
      const recorded = events.filter((e) => e.type === 'RequestRefused');
      const summaries = events
        .filter((e) => e.type === 'RequestRefusalsDropped')
        .map((e) => e.data as RequestRefusalsDropped['data']);
      expect(during).toBe(100);
      expect(recorded).toHaveLength(100);
      expect(summaries).toHaveLength(1);
      expect(summaries[0]!.dropped).toBe(BURST - 100);
      expect(summaries[0]!.buckets.reduce((n, b) => n + b.count, 0)).toBe(BURST - 100);
      expect(summaries[0]!.buckets[0]).toMatchObject({ who: 'anonymous', method: 'PATCH' });
    } finally {
      store.db.close();
    }
    // The summary is found under the paths it counts.
    const history = runCli([
      'history',
      '--data-dir',
      join(dir, 'data'),
      '--resource',
      '/redfish/v1/Systems/none-7',
      '--type',
      'RequestRefusalsDropped',
      '--json',
    ]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout.trim().split('\n')).toHaveLength(1);
  });
});
