import { ExplainedError } from '../explained-error.js';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { projectRoot } from '../project-root.js';
import { parseLibvirtUri } from '../libvirt/uri.js';
import type { EmulatorConfig } from './config.js';
import { hasIndex, simulatedSystemConfigs } from './simulated-sections.js';
import { isSimulatedUri, SIMULATED_URI } from '../libvirt/simulated-hypervisor.js';

/** The configuration cannot be used; the message names the file, the key and what was expected. */
export class ConfigError extends ExplainedError {
  /** Exit status 2, as for a usage error: the command was given something it cannot take. */
  override readonly exitStatus = 2;
}

/** Command-line settings, which win over the environment, which wins over the file. */
export interface ConfigOverrides {
  readonly dataDir?: string;
  readonly port?: number;
  readonly listenAddress?: string;
  readonly libvirtUri?: string;
  readonly takeOver?: boolean;
  readonly logLevel?: string;
  readonly logFile?: string;
  /** A mockup folder to serve as the lab (lab.mockup.dir). */
  readonly mockup?: string;
}

/** The environment variables each setting can also come from. */
export const CONFIG_ENV = {
  config: 'REDFISH_EMULATOR_CONFIG',
  dataDir: 'REDFISH_EMULATOR_DATA_DIR',
  port: 'REDFISH_EMULATOR_PORT',
  listenAddress: 'REDFISH_EMULATOR_LISTEN_ADDRESS',
  libvirtUri: 'REDFISH_EMULATOR_LIBVIRT_URI',
  logLevel: 'REDFISH_EMULATOR_LOG_LEVEL',
  logFile: 'REDFISH_EMULATOR_LOG_FILE',
} as const;

export const DEFAULT_CONFIG_FILE = join(projectRoot(), 'config', 'default.json');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function readJson(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** The keys that name files or directories: in a config file, a relative one is taken from the file's directory. */
const PATH_KEYS = [
  'dataDir',
  'log.file',
  'auth.htpasswdFile',
  'tls.certFile',
  'tls.keyFile',
  'updateService.caFile',
  'lab.virtualMedia.caFile',
  'lab.notifications.caFile',
  'lab.notifications.certFile',
  'lab.notifications.keyFile',
  'lab.mockup.dir',
];

/**
 * `config` with its relative paths made absolute from `dir`, so that a file means the same
 * whatever the current directory of the process reading it: a service and a command run by hand
 * given the same config find the same store.
 */
function anchorPaths(config: Json, dir: string): Json {
  for (const key of PATH_KEYS) {
    const parts = key.split('.');
    let holder: Json | undefined = config;
    for (const part of parts.slice(0, -1)) holder = isPlainObject(holder) ? holder[part] : undefined;
    const last = parts[parts.length - 1]!;
    if (isPlainObject(holder) && typeof holder[last] === 'string' && !isAbsolute(holder[last]))
      holder[last] = resolve(dir, holder[last]);
  }
  return config;
}

function isPlainObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Settings whose forms are alternatives (tls: self-signed or files): given, they replace the default whole. */
const REPLACED_WHOLE = new Set(['tls']);

/** Objects merge key by key; anything else (arrays included) in `over` replaces what is in `base`. */
function merge(base: Json, over: Json, path = ''): Json {
  if (!isPlainObject(base) || !isPlainObject(over) || REPLACED_WHOLE.has(path)) return over;
  const merged: { [key: string]: Json } = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const at = path ? `${path}.${key}` : key;
    merged[key] = key in base ? merge(base[key]!, value, at) : value;
  }
  return merged;
}

/** A JSON pointer such as /lab/systems/0/id as the key path users write: lab.systems[0].id */
function keyPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function describe(error: ErrorObject): string {
  const at = keyPath(error.instancePath);
  const where = (key: string) => (at ? `${at}.${key}` : key);
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where(String(error.params['additionalProperty']))}: unknown key`;
    case 'required':
      return `${where(String(error.params['missingProperty']))}: missing (required)`;
    case 'not':
      return `${at}: not allowed here`;
    case 'enum':
      return `${at}: must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${at || '(top level)'}: ${error.message ?? 'is invalid'}`;
  }
}

let validate: ReturnType<Ajv['compile']> | undefined;
function validator() {
  if (!validate) {
    const schema = JSON.parse(readFileSync(join(projectRoot(), 'config', 'schema.json'), 'utf8')) as object;
    validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  }
  return validate;
}

function parsePort(value: string, source: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(`${source}: expected a port number from 0 to 65535, got '${value}'`);
  }
  return Number(value);
}

/**
 * The configuration to run with: the embedded default, with the file (from --config or
 * REDFISH_EMULATOR_CONFIG) merged over it, then the environment, then the command line, checked
 * against the schema as a whole. Every problem found is listed, each naming its key. Paths come
 * out absolute: a relative one in a file is taken from that file's directory, the default's
 * data/ from the checkout, one from the environment or the command line from the current one.
 */
export function loadConfig(
  options: { file?: string; overrides?: ConfigOverrides; env?: NodeJS.ProcessEnv } = {},
): EmulatorConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env[CONFIG_ENV.config];
  // The embedded default's data directory is the checkout's data/, wherever it is run from.
  let merged = anchorPaths(readJson(DEFAULT_CONFIG_FILE), projectRoot());
  if (file) merged = merge(merged, anchorPaths(readJson(file), dirname(resolve(file))));

  const fromEnv: ConfigOverrides = {
    dataDir: env[CONFIG_ENV.dataDir] || undefined,
    port: env[CONFIG_ENV.port] ? parsePort(env[CONFIG_ENV.port]!, CONFIG_ENV.port) : undefined,
    listenAddress: env[CONFIG_ENV.listenAddress] || undefined,
    libvirtUri: env[CONFIG_ENV.libvirtUri] || undefined,
    logLevel: env[CONFIG_ENV.logLevel] || undefined,
    logFile: env[CONFIG_ENV.logFile] || undefined,
  };
  for (const o of [fromEnv, options.overrides ?? {}]) {
    const patch: { [key: string]: Json } = {};
    if (o.dataDir !== undefined) patch['dataDir'] = resolve(o.dataDir);
    if (o.port !== undefined || o.listenAddress !== undefined) {
      patch['listen'] = {
        ...(o.port !== undefined && { port: o.port }),
        ...(o.listenAddress !== undefined && { address: o.listenAddress }),
      };
    }
    if (o.libvirtUri !== undefined) patch['libvirt'] = { uri: o.libvirtUri };
    if (o.takeOver !== undefined || o.mockup !== undefined) {
      patch['lab'] = {
        ...(o.takeOver !== undefined && { takeOver: o.takeOver }),
        ...(o.mockup !== undefined && { mockup: { dir: resolve(o.mockup) } }),
      };
    }
    if (o.logLevel !== undefined || o.logFile !== undefined) {
      patch['log'] = {
        ...(o.logLevel !== undefined && { level: o.logLevel }),
        ...(o.logFile !== undefined && { file: o.logFile }),
      };
    }
    merged = merge(merged, patch);
  }

  const check = validator();
  if (!check(merged)) {
    // An if/then/else failure is said by the error inside the branch; its own adds nothing.
    const problems = (check.errors ?? []).filter((e) => e.keyword !== 'if').map(describe);
    const distinct = [...new Set(problems)];
    // One problem is one line, as every other start error is; several are a list.
    throw new ConfigError(
      `invalid configuration${file ? ` in ${file}` : ''}:${distinct.length === 1 ? ' ' : '\n  '}${distinct.join('\n  ')}`,
    );
  }
  const config = merged as unknown as EmulatorConfig;
  checkUniqueIds(config);
  checkLibvirtUris(config);
  checkSimulated(config);
  return config;
}

/** Throws the problems found, if any: one on its line, several as a list. */
function refuse(problems: readonly string[]): void {
  if (problems.length === 1) throw new ConfigError(`invalid configuration: ${problems[0]}`);
  if (problems.length > 1) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
}

/**
 * What the schema cannot say either: every libvirt URI must be one the client can reach (its
 * transport one it speaks), found at start rather than by a lab that retries it for ever.
 */
function checkLibvirtUris(config: EmulatorConfig): void {
  const uris: [string, string][] = [
    ['libvirt.uri', config.libvirt.uri],
    ...config.lab.systems.flatMap((system, i): [string, string][] =>
      system.libvirtUri !== undefined ? [[`lab.systems[${i}].libvirtUri`, system.libvirtUri]] : [],
    ),
    ...(config.lab.adopt ?? []).map((rule, i): [string, string] => [`lab.adopt[${i}].uri`, rule.uri]),
  ];
  const problems: string[] = [];
  for (const [key, uri] of uris) {
    if (isSimulatedUri(uri) && uri !== SIMULATED_URI) {
      problems.push(`${key}: '${uri}' is not the simulated host; its one URI is ${SIMULATED_URI}`);
      continue;
    }
    try {
      parseLibvirtUri(uri);
    } catch (err) {
      problems.push(`${key}: ${(err as Error).message}`);
    }
  }
  refuse(problems);
}

/** What the schema cannot say: ids must be unique among their siblings. */
function checkUniqueIds(config: EmulatorConfig): void {
  const duplicates: string[] = [];
  const seen = (values: string[], path: string, key = 'id') => {
    values.forEach((value, i) => {
      if (values.indexOf(value) !== i) duplicates.push(`${path}[${i}].${key}: '${value}' is used twice`);
    });
  };
  seen(
    config.lab.systems.map((s) => s.id),
    'lab.systems',
  );
  seen(
    config.lab.systems.map((s) => s.domain),
    'lab.systems',
    'domain',
  );
  config.lab.systems.forEach((system, s) => {
    const storage = system.storage ?? [];
    seen(
      storage.map((st) => st.id),
      `lab.systems[${s}].storage`,
    );
    storage.forEach((st, i) =>
      seen(
        st.drives.map((d) => d.id),
        `lab.systems[${s}].storage[${i}].drives`,
      ),
    );
  });
  if (duplicates.length > 0) throw new ConfigError(`invalid configuration:\n  ${duplicates.join('\n  ')}`);
}

/** How many simulated systems one lab may have in all: more than a scale test needs, fewer than exhaust a start. */
export const MAX_SIMULATED_SYSTEMS = 20_000;

const SYSTEM_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * What the schema cannot say of simulated sections: a section of several systems has {index} in
 * its id, every id made is a valid one and no other system's (configured or simulated), a power
 * range is a range, and the whole stays within MAX_SIMULATED_SYSTEMS. One problem is said per
 * section and kind, not once per system of a thousand.
 */
function checkSimulated(config: EmulatorConfig): void {
  const sections = config.lab.simulated ?? [];
  if (sections.length === 0) return;
  const problems: string[] = [];
  const total = sections.reduce((n, section) => n + (section.count ?? 1), 0);
  if (total > MAX_SIMULATED_SYSTEMS)
    problems.push(`lab.simulated: ${total} systems in all, more than the ${MAX_SIMULATED_SYSTEMS} a lab may simulate`);
  sections.forEach((section, s) => {
    const count = section.count ?? 1;
    for (const key of ['id', 'domain'] as const) {
      const pattern = section[key];
      if (count > 1 && pattern !== undefined && !hasIndex(pattern))
        problems.push(
          `lab.simulated[${s}].${key}: '${pattern}' has no {index}, so its ${count} systems would share one ${key}`,
        );
    }
    const power = section.powerSeconds;
    if (typeof power === 'object' && power.min > power.max)
      problems.push(`lab.simulated[${s}].powerSeconds: min (${power.min}) is more than max (${power.max})`);
    const storage = section.template?.storage ?? [];
    storage.forEach((st, i) => {
      if (storage.findIndex((other) => other.id === st.id) !== i)
        problems.push(`lab.simulated[${s}].template.storage[${i}].id: '${st.id}' is used twice`);
      st.drives.forEach((drive, d) => {
        if (st.drives.findIndex((other) => other.id === drive.id) !== d)
          problems.push(`lab.simulated[${s}].template.storage[${i}].drives[${d}].id: '${drive.id}' is used twice`);
      });
    });
  });
  if (problems.length === 0) {
    const ids = new Map(config.lab.systems.map((system, i): [string, string] => [system.id, `lab.systems[${i}]`]));
    const domains = new Map<string, string>();
    const said = new Set<string>();
    const say = (key: string, kind: string, problem: string) => {
      if (said.has(`${key} ${kind}`)) return;
      said.add(`${key} ${kind}`);
      problems.push(problem);
    };
    for (const { key, index, system } of simulatedSystemConfigs(sections)) {
      if (!SYSTEM_ID.test(system.id))
        say(
          key,
          'id',
          `${key}.id: '${system.id}' (index ${index}) is not a system id: letters, digits, _ . and -, at most 64`,
        );
      const other = ids.get(system.id);
      if (other !== undefined)
        say(key, 'collision', `${key}.id: '${system.id}' (index ${index}) is already the id of ${other}`);
      const otherDomain = domains.get(system.domain);
      // A domain named after a colliding id collides too: the id says it.
      if (otherDomain !== undefined && other === undefined)
        say(
          key,
          'domain',
          `${key}.domain: '${system.domain}' (index ${index}) is already the domain of ${otherDomain}`,
        );
      ids.set(system.id, `${key} (index ${index})`);
      domains.set(system.domain, `${key} (index ${index})`);
    }
  }
  refuse(problems);
}
