import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * One sub-command of `redfish-emulator`. Each lives in its own file under src/cli/ and is
 * listed in src/cli.ts. `run` returns the process exit code; it throws only for bugs.
 */
export interface CliCommand {
  /** Words that select the command, e.g. ['serve'] or ['libvirt', 'inspect']. */
  readonly words: readonly string[];
  readonly summary: string;
  /** Full --help text: usage line, options and the environment variables they fall back to. */
  readonly help: string;
  run(argv: string[]): Promise<number>;
}

/** A mistake in how the command was called: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses argv strictly against `options` (unknown flags and missing values are UsageErrors).
 * `--help` is handled by the dispatcher before this is called.
 */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Parses a whole, non-negative number given for `flag`, or throws a UsageError naming it. */
export function parseCount(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} takes a whole number, got '${value}'`);
  return Number(value);
}

/** As parseCommandArgs, for a command that takes exactly one positional argument (`what` names it in the error). */
export function parseWithOneArgument<O extends Options>(argv: string[], options: O, what: string) {
  const { values, positionals } = parseCommandArgs(argv, options, true);
  if (positionals.length !== 1) throw new UsageError(`takes exactly one ${what}`);
  return { values, argument: positionals[0]! };
}
