import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/project-root.js';

/** DMTF's Service and Protocol Validators, kept beside the project in shared/. */
const RUN = join(projectRoot(), '..', 'shared', 'tools', 'redfish-conformance', 'run');
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
): Promise<string> {
  const result = await promisify(execFile)(RUN, [mode, url, 'admin', 'password'], {
    encoding: 'utf8',
    timeout: 300_000,
    // The tools' HTTP library trusts the CA bundle named here (machines often name the system's,
    // which would refuse a self-signed certificate): name the certificate itself.
    env: { ...process.env, REPORT_DIR: reportDir, REQUESTS_CA_BUNDLE: certFile, CURL_CA_BUNDLE: certFile },
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const summary = result.stdout.trim().split('\n').at(-1) ?? '';
  console.log(summary);
  if (!/ 0 failed$/.test(summary)) console.log(result.stdout);
  return summary;
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
