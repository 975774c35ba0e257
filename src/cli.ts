#!/usr/bin/env node
import { UsageError, type CliCommand } from './cli/command.js';
import { commands } from './cli/commands.js';
import { ExplainedError } from './explained-error.js';
import { EMULATOR_VERSION } from './version.js';
import { endQuietlyWhenOutputCloses } from './cli/closed-output.js';

const PROGRAM = 'redfish-emulator';
/** What --version prints, on the program and on every command. */
const VERSION_LINE = `${PROGRAM} ${EMULATOR_VERSION}`;

function overview(): string {
  const width = Math.max(...commands.map((c) => c.words.join(' ').length));
  const lines = commands.map((c) => `  ${c.words.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'A Redfish BMC emulator for libvirt labs; every mutation is an event in SQLite.',
    '',
    'Commands:',
    ...lines,
    '',
    `Run '${PROGRAM} <command> --help' for a command's options, '${PROGRAM} --version' for the version.`,
  ].join('\n');
}

/** Finds the command whose words are the longest prefix of argv. */
function select(argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  let best: CliCommand | undefined;
  for (const command of commands) {
    const matches = command.words.every((word, i) => argv[i] === word);
    if (matches && (!best || command.words.length > best.words.length)) best = command;
  }
  return best && { command: best, rest: argv.slice(best.words.length) };
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(overview());
    return 0;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    console.log(VERSION_LINE);
    return 0;
  }
  const selected = select(argv);
  if (!selected) {
    console.error(`${PROGRAM}: unknown command '${argv.join(' ')}'\n\n${overview()}`);
    return 2;
  }
  const { command, rest } = selected;
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  if (rest.includes('--version')) {
    console.log(VERSION_LINE);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(
        `${PROGRAM} ${command.words.join(' ')}: ${err.message}\nSee '${PROGRAM} ${command.words.join(' ')} --help'.`,
      );
      return 2;
    }
    if (err instanceof ExplainedError) {
      console.error(`${PROGRAM} ${command.words.join(' ')}: ${err.message}`);
      return err.exitStatus;
    }
    throw err;
  }
}

endQuietlyWhenOutputCloses();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
