import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { openDatabase } from '../../src/eventstore/database.js';
import { migrate } from '../../src/eventstore/migrations.js';
import { EventStore } from '../../src/eventstore/event-store.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const appender = fileURLToPath(new URL('../../dist/test/support/appender.js', import.meta.url));

function run(file: string, stream: string, count: number, label: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [appender, file, stream, String(count), label], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(code) : reject(new Error(`appender exited ${code}: ${stderr}`))));
  });
}

function prepared(file: string): void {
  const db = openDatabase(file);
  migrate(db);
  db.close();
}

describe('the event log under several processes', () => {
  it('keeps stream versions and positions gap-free with two processes appending to one stream', async () => {
    const file = join(tempDir(), 'events.db');
    prepared(file);
    await Promise.all([run(file, '/shared', 300, 'left'), run(file, '/shared', 300, 'right')]);

    const store = new EventStore(openDatabase(file));
    const events = store.readStream('/shared');
    expect(events.map((e) => e.streamVersion)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(events.map((e) => e.position)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    for (const label of ['left', 'right']) {
      const mine = events
        .filter((e) => (e.data as { label: string }).label === label)
        .map((e) => (e.data as { i: number }).i);
      expect(mine).toEqual(Array.from({ length: 300 }, (_, i) => i));
    }
  });

  it('loses no acknowledged append when the appending process is killed with SIGKILL', {
    timeout: 120_000,
  }, async () => {
    const file = join(tempDir(), 'events.db');
    prepared(file);
    const child = spawn(process.execPath, [appender, file, '/victim', '1000000', 'k'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged: number[] = [];
    const lines = createInterface({ input: child.stdout });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      lines.on('line', (line) => {
        acknowledged.push(Number(line.split(' ')[1]));
        if (acknowledged.length === 500) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;

    const store = new EventStore(openDatabase(file));
    const stored = store.readStream('/victim');
    const storedPositions = new Set(stored.map((e) => e.position));
    const lost = acknowledged.filter((position) => !storedPositions.has(position));
    expect(lost).toEqual([]);
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(stored.map((e) => e.streamVersion)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
  });
});
