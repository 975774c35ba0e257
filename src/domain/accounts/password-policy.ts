import { problem, type RedfishProblem } from '../problem.js';

/** MinPasswordLength and MaxPasswordLength, in characters, as the AccountService states them. */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 64;
/** bcrypt reads 72 bytes and ignores the rest: a longer password would let its tail be anything. */
const MAX_PASSWORD_BYTES = 72;

/**
 * Why a password cannot be set, or undefined. The message is the Base registry's
 * PasswordIncorrectLength, which names no value: a refused password is never echoed back.
 */
export function passwordProblem(password: string): RedfishProblem | undefined {
  const length = [...password].length;
  if (
    length < MIN_PASSWORD_LENGTH ||
    length > MAX_PASSWORD_LENGTH ||
    Buffer.byteLength(password) > MAX_PASSWORD_BYTES
  ) {
    return problem(
      400,
      'PasswordIncorrectLength',
      [],
      ['/Password'],
      `Use ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters (at most ${MAX_PASSWORD_BYTES} bytes in UTF-8).`,
    );
  }
  return undefined;
}
