import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '../../src/project-root.js';

/** DMTF's Service and Protocol Validators. */
const RUN = join(sharedDir(), 'tools', 'redfish-conformance', 'run');
const PYTHON_MODULES =
  'import requests, requests_toolbelt, requests_unixsocket, jsonpatch, jsonpointer, openpyxl, colorama, pyasn1, pyasn1_modules';

/** Why the validators cannot run here, or undefined when they can. */
export function validatorsMissing(): string | undefined {
  const missing = !existsSync(RUN)
    ? `${RUN} is not there`
    : spawnSync('/usr/bin/python3', ['-c', PYTHON_MODULES]).status !== 0
      ? "/usr/bin/python3 lacks the validators' modules (scripts/setup installs them)"
      : undefined;
  if (missing) console.warn(`skipping DMTF's validators: ${missing}`);
  return missing;
}

/** How a validator run may differ from the tool's defaults. */
export interface ValidatorOptions {
  /** Milliseconds before the run is stopped (5 minutes by default). */
  readonly timeoutMs?: number;
  /**
   * The Service Validator's --collectionlimit: of a collection of members of this type, only the
   * first N are walked (the tool's own default limits LogEntry to 20; naming types replaces it).
   * The Protocol Validator takes no such option.
   */
  readonly collectionLimits?: Readonly<Record<string, number>>;
  /** Stops the run (the tool and everything it started) when aborted. */
  readonly signal?: AbortSignal;
}

/**
 * Runs one validator against `url` (asynchronously: the emulator it talks to may run in this
 * process) and answers its summary line, `redfish-conformance-<mode>: N passed, M failed`,
 * printing the whole output when anything failed.
 */
export async function runValidator(
  mode: 'service' | 'protocol',
  url: string,
  reportDir: string,
  certFile: string,
  options: ValidatorOptions = {},
): Promise<string> {
  const child = spawn(RUN, [mode, url, 'admin', 'password'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own: the run script's python goes with it when it is stopped.
    detached: true,
    // The tools' HTTP library trusts the CA bundle named here (machines often name the system's,
    // which would refuse a self-signed certificate): name the certificate itself.
    env: {
      ...process.env,
      REPORT_DIR: reportDir,
      REQUESTS_CA_BUNDLE: certFile,
      CURL_CA_BUNDLE: certFile,
      ...(mode === 'service' &&
        options.collectionLimits && { PYTHON: pythonWithArguments(reportDir, collectionLimitArguments(options)) }),
    },
  });
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(stop, options.timeoutMs ?? 300_000);
  options.signal?.addEventListener('abort', stop, { once: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await new Promise((resolve) => child.once('close', resolve).once('error', resolve));
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', stop);
  const summary = stdout.trim().split('\n').at(-1) ?? '';
  console.log(summary);
  if (!/ 0 failed$/.test(summary)) console.log(stdout, stderr);
  return summary;
}

function collectionLimitArguments({ collectionLimits = {} }: ValidatorOptions): string[] {
  const pairs = Object.entries(collectionLimits).flatMap(([type, limit]) => [type, String(limit)]);
  return pairs.length > 0 ? ['--collectionlimit', ...pairs] : [];
}

/**
 * The run script passes the tool only its own options, and runs it with $PYTHON: a python that
 * adds `extra` after the script's arguments hands the tool more options (argparse takes them
 * wherever they stand).
 */
function pythonWithArguments(dir: string, extra: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'python');
  writeFileSync(file, `#!/bin/sh\nexec /usr/bin/python3 "$@" ${extra.map((a) => `'${a}'`).join(' ')}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** How many resources the Service Validator walked, from the output it kept under `reportDir`. */
export function serviceValidatorResources(reportDir: string): number {
  return (readFileSync(join(reportDir, 'service.log'), 'utf8').match(/^Validating \S+\.\.\.$/gm) ?? []).length;
}

/**
 * Each failure the Service Validator reported, from the debug log it writes under `reportDir`:
 * `<resource> <property>` (the property's JSON pointer, or `Resource Error` for one it could
 * not read), so a test can name the failures it expects rather than count them.
 */
export function serviceValidatorFailures(reportDir: string): string[] {
  const logs = readdirSync(reportDir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    /RedfishServiceValidatorDebug.*\.log$/.test(f),
  );
  const failures: string[] = [];
  for (const log of logs) {
    let resource = '';
    for (const line of readFileSync(join(reportDir, log), 'utf8').split('\n')) {
      const validating = / - Validating (\S+?)\.\.\.$/.exec(line);
      if (validating) resource = validating[1]!;
      const failed = / - FAIL - (?:(\/\S*) \(|(Resource Error))/.exec(line);
      if (failed) failures.push(`${resource} ${failed[1] ?? failed[2]}`);
    }
  }
  return failures.sort();
}
