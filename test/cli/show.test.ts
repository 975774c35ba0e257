import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openEventStore } from '../../src/views/open-store.js';
import { PROJECTION_VERSION, projectors } from '../../src/projections/catalog.js';
import { diffJson } from '../../src/views/json-diff.js';
import { LabHistory } from '../support/lab-history.js';
import { runCli } from '../support/run-cli.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const SYSTEM = '/redfish/v1/Systems/node-1';

/** A data directory with a lab's history, and what GET of the system returned after each append. */
function dataDirWithLab(): { dataDir: string; seen: { position: number; time: string; body: string | undefined }[] } {
  const dataDir = tempDir();
  let second = 0;
  const clock = () => new Date(Date.UTC(2026, 10, 25, 10, 0, (second += 1)));
  const { store } = openEventStore({
    file: join(dataDir, 'events.db'),
    projectors,
    projectionVersion: PROJECTION_VERSION,
    clock,
  });
  const history = new LabHistory({ systems: 1, seed: 5 });
  const seen: { position: number; time: string; body: string | undefined }[] = [];
  while (store.lastPosition() < 120) {
    const { lastPosition } = store.append(history.next());
    seen.push({
      position: lastPosition,
      time: new Date(Date.UTC(2026, 10, 25, 10, 0, second)).toISOString(),
      body: store.views.get(SYSTEM)?.body,
    });
  }
  store.db.close();
  return { dataDir, seen };
}

describe('redfish-emulator show', () => {
  it('prints a resource now, and as it was at a position or a time', () => {
    const { dataDir, seen } = dataDirWithLab();
    const now = runCli(['show', SYSTEM, '--data-dir', dataDir]);
    expect(now.code).toBe(0);
    expect(JSON.parse(now.stdout)).toEqual(JSON.parse(seen.at(-1)!.body!));
    for (const step of [seen[3]!, seen[20]!, seen[50]!]) {
      const compact = runCli(['show', SYSTEM, '--as-of', String(step.position), '--compact', '--data-dir', dataDir]);
      expect(compact.code).toBe(0);
      expect(compact.stdout).toBe(`${step.body}\n`);
      expect(compact.stderr).toContain(`as of position ${step.position} (recorded at `);
      // Its time names the same point; pretty-printed by default.
      const byTime = runCli(['show', SYSTEM, '--as-of', step.time, '--data-dir', dataDir]);
      expect(byTime.code).toBe(0);
      expect(byTime.stdout).toBe(`${JSON.stringify(JSON.parse(step.body!), null, 2)}\n`);
    }
    const before = runCli(['show', SYSTEM, '--as-of', '1', '--data-dir', dataDir]);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain(`${SYSTEM} did not exist at position 1`);
  });

  it('prints the JSON Patch between two points with --diff', () => {
    const { dataDir, seen } = dataDirWithLab();
    const [from, to] = [seen[10]!, seen[60]!];
    const run = runCli(['show', SYSTEM, '--diff', String(from.position), to.time, '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    const diff = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(diff).toEqual({
      resource: SYSTEM,
      from: { position: from.position, recordedAt: expect.any(String), exists: true },
      to: { position: to.position, recordedAt: to.time, exists: true },
      changes: diffJson(JSON.parse(from.body!), JSON.parse(to.body!)),
    });
    const created = runCli(['show', SYSTEM, '--diff', '0', String(from.position), '--compact', '--data-dir', dataDir]);
    expect(JSON.parse(created.stdout)['changes']).toEqual([{ op: 'add', path: '', value: JSON.parse(from.body!) }]);
    expect(runCli(['show', '/redfish/v1/Systems/nope', '--diff', '0', '5', '--data-dir', dataDir]).code).toBe(1);
  });

  it('explains mistakes: --help, bad points, positions past the end, no store', () => {
    const { dataDir, seen } = dataDirWithLab();
    const help = runCli(['show', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: redfish-emulator show <@odata.id> \[--as-of POINT\]/);
    expect(runCli(['--help']).stdout).toContain('show');
    const last = seen.at(-1)!.position;
    const cases: [string[], RegExp][] = [
      [
        ['show', SYSTEM, '--as-of', 'yesterday'],
        /--as-of takes a log position .* or an ISO 8601 time .*; got 'yesterday'/,
      ],
      [
        ['show', SYSTEM, '--as-of', String(last + 1)],
        new RegExp(`position ${last + 1} is past the end of the log \\(${last}\\)`),
      ],
      [['show', SYSTEM, '--diff', '1'], /--diff takes two points/],
      [['show', SYSTEM, '--diff', '1', '2', '--as-of', '3'], /do not go together/],
      [['show'], /name one resource/],
      [['show', '#state/redfish/v1/Systems/node-1', '--as-of', '3'], /is not a Redfish resource path/],
      [['show', SYSTEM, '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const run = runCli([...args, '--data-dir', dataDir]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
    const nowhere = runCli(['show', SYSTEM, '--as-of', '1', '--data-dir', join(tempDir(), 'none')]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('there is no event store');
  });
});
