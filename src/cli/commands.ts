import type { CliCommand } from './command.js';

/** Every sub-command of the CLI, in the order `--help` lists them. */
export const commands: readonly CliCommand[] = [];
