/**
 * A failure that is the user's to fix (bad config, unusable database file, bad log file): its
 * message says what is wrong and how to go on, so it is shown as is, without a stack trace.
 */
export class ExplainedError extends Error {
  /** The exit status of the command it ends: 1, a failure at run time; ConfigError says 2. */
  readonly exitStatus: number = 1;
}
