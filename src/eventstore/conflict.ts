/** An append whose expected stream version did not match; nothing of that append was written. */
export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`stream ${streamId} is at version ${actualVersion}, the append expected ${expectedVersion}`);
  }
}
