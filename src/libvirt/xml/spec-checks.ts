/**
 * Checks on what callers ask the writers to put into XML. libvirt would refuse most of these
 * too, but only after a round trip and with a message about XML the caller never saw; here the
 * message names the field that was wrong.
 */
export class InvalidSpecError extends Error {}

export function requireText(value: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidSpecError(`${what} must be a non-empty string`);
  return value;
}

export function requireInteger(value: number, what: string, minimum: number): string {
  if (!Number.isSafeInteger(value) || value < minimum)
    throw new InvalidSpecError(`${what} must be a whole number ≥ ${minimum}, not ${value}`);
  return String(value);
}

export function requireOneOf<T extends string>(value: T, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value))
    throw new InvalidSpecError(`${what} must be one of ${allowed.join(', ')}, not '${value}'`);
  return value;
}

export function requirePattern(value: string, pattern: RegExp, what: string, shape: string): string {
  if (typeof value !== 'string' || !pattern.test(value))
    throw new InvalidSpecError(`${what} must be ${shape}, not '${value}'`);
  return value;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
export const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
/** A disk's target name as the guest's bus names it: vda, sdb, hdc, fda… */
export const TARGET_DEV_PATTERN = /^[a-z]+[a-z0-9]*$/;
