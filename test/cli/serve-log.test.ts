import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { serviceLogger } from '../../src/logging/service-logger.js';
import { runCli } from '../support/run-cli.js';
import { testConfig } from '../support/config.js';

/*
 * The log options of `serve`, on the built CLI run as a process: the level from the flag or the
 * config key, JSON lines on a standard output that is not a terminal or in a file, and
 * readable lines on a terminal.
 */

const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rfe-test-serve-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `serve` with `args`, GETs the Systems collection, stops it, and gives back what it printed. */
async function serveOneRequest(args: string[]): Promise<string> {
  const { file } = testConfig(mkdtempSync(join(dir, 'run-')));
  const child = spawn(process.execPath, [cli, 'serve', '--config', file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const found = /serving (http:\/\/[^/\s]+)\/redfish\/v1/.exec(output)?.[1];
        if (found) {
          clearInterval(timer);
          resolve(found);
        }
      }, 20);
      child.on('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`serve exited (${code}): ${output}`));
      });
    });
    expect((await fetch(`${url}/redfish/v1/Systems`)).status).toBe(200);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  return output;
}

const requestLines = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record['path'] === '/redfish/v1/Systems');

describe('serve --log-level and --log-file', () => {
  it('logs each request as a JSON line on standard output by default (level info)', async () => {
    const lines = requestLines(await serveOneRequest([]));
    expect(lines).toEqual([
      expect.objectContaining({
        method: 'GET',
        status: 200,
        actor: 'anonymous',
        reqId: expect.any(String),
        ms: expect.any(Number),
      }),
    ]);
  });

  it('writes no request line at --log-level warn', async () => {
    expect(requestLines(await serveOneRequest(['--log-level', 'warn']))).toEqual([]);
  });

  it('appends JSON lines to --log-file instead', async () => {
    const file = join(dir, 'serve.log');
    const output = await serveOneRequest(['--log-file', file]);
    expect(requestLines(output)).toEqual([]);
    expect(requestLines(readFileSync(file, 'utf8'))).toHaveLength(1);
  });

  it('refuses an unknown level with exit 2, from the flag or the config key', () => {
    const flag = runCli(['serve', '--log-level', 'loud']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(
      "--log-level takes one of trace, debug, info, warn, error, fatal, silent, got 'loud'",
    );
    const file = join(dir, 'bad-level.json');
    writeFileSync(file, JSON.stringify({ dataDir: join(dir, 'unused'), log: { level: 'loud' } }));
    const key = runCli(['serve', '--config', file]);
    // A configuration error, as a bad flag is a usage error: exit status 2 either way.
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('log.level: must be one of "trace"');
  });

  it('says so, without a stack trace and with exit status 2, when the log file cannot be opened', () => {
    const { file } = testConfig(mkdtempSync(join(dir, 'run-')));
    const run = runCli(['serve', '--config', file, '--log-file', join(dir, 'no-such-dir', 'serve.log')]);
    // log.file is configuration: exit status 2.
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `redfish-emulator serve: cannot open the log file ${join(dir, 'no-such-dir', 'serve.log')} (log.file): ENOENT: no such file or directory, open '${join(dir, 'no-such-dir', 'serve.log')}'\n`,
    );
  });
});

describe('the log on a terminal', () => {
  it('prints readable lines rather than JSON', () => {
    const terminal = Object.assign(new PassThrough(), { isTTY: true });
    let printed = '';
    terminal.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const log = serviceLogger({ stdout: terminal }).child({ reqId: 'req-7' });
    log.info(
      {
        method: 'PATCH',
        path: '/redfish/v1/Systems/node-1',
        status: 400,
        ms: 2.5,
        actor: 'user:admin',
        messageIds: ['Base.1.22.PropertyUnknown'],
      },
      'request',
    );
    log.warn('a warning');
    expect(printed).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}req-7 user:admin PATCH \/redfish\/v1\/Systems\/node-1 400 2\.5 ms Base\.1\.22\.PropertyUnknown\n\d\d:\d\d:\d\d\.\d{3} WARN {2}req-7 a warning\n$/,
    );
  });
});
