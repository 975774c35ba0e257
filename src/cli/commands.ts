import type { CliCommand } from './command.js';
import { serveCommand } from './serve.js';
import { historyCommand } from './history.js';
import { rebuildCommand } from './rebuild.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { libvirtInspectCommand } from './libvirt-inspect.js';
import { driveFailCommand, driveReplaceCommand } from './drive-fault.js';
import { showCommand } from './show.js';
import { markCommand } from './mark.js';
import { scenarioExportCommand, scenarioReplayCommand } from './scenario.js';
import { scenarioSandboxesCommand } from './scenario-sandboxes.js';

/** Every sub-command of the CLI, in the order `--help` lists them. */
export const commands: readonly CliCommand[] = [
  serveCommand,
  historyCommand,
  showCommand,
  rebuildCommand,
  exportCommand,
  importCommand,
  markCommand,
  scenarioExportCommand,
  scenarioReplayCommand,
  scenarioSandboxesCommand,
  driveFailCommand,
  driveReplaceCommand,
  libvirtInspectCommand,
];
