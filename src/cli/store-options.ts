import { loadConfig } from '../config/load-config.js';
import type { EmulatorConfig } from '../config/config.js';

/** The options every command that works on the store accepts. */
export const storeOptions = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

export const STORE_OPTIONS_HELP = [
  '  --config FILE     configuration merged over the embedded default (env REDFISH_EMULATOR_CONFIG)',
  '  --data-dir DIR    directory of the event store (env REDFISH_EMULATOR_DATA_DIR)',
].join('\n');

export function configFromOptions(values: { config?: string; 'data-dir'?: string }): EmulatorConfig {
  return loadConfig({ file: values.config, overrides: { dataDir: values['data-dir'] } });
}
