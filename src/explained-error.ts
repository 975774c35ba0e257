/**
 * A failure that is the user's to fix (bad config, unusable database file, bad log file): its
 * message says what is wrong and how to go on, so it is shown as is, without a stack trace.
 */
export class ExplainedError extends Error {}
