import { expect } from 'vitest';
import type { RedfishProblem } from '../../src/domain/problem.js';
import type { DriveFacts } from '../../src/domain/storage/raid/drive-facts.js';
import { baseMessage } from '../../src/registries/base-registry.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** A working 512-byte-sector SAS HDD unless told otherwise. */
export function drive(id: string, capacityBytes: number, overrides: Partial<DriveFacts> = {}): DriveFacts {
  return {
    id,
    capacityBytes,
    blockSizeBytes: 512,
    mediaType: 'HDD',
    protocol: 'SAS',
    state: 'Enabled',
    health: 'OK',
    ...overrides,
  };
}

/** d0 … d(n-1), all 1 GiB (a whole number of 64 KiB strips, so extents come out exact). */
export function gibDrives(count: number): DriveFacts[] {
  return Array.from({ length: count }, (_, i) => drive(`d${i}`, GiB));
}

export function ids(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `d${i}`);
}

/**
 * Asserts a refusal, and that the HTTP layer can render it: baseMessage throws on an unknown
 * MessageId or a wrong argument count for the Base registry.
 */
export function expectProblem(
  result: unknown,
  expected: { status?: number; messageId: string; args: readonly string[]; related?: readonly string[] },
): void {
  expect(result).toMatchObject({ kind: 'problem', status: expected.status ?? 400, messageId: expected.messageId });
  const found = result as RedfishProblem;
  expect(found.messageArgs).toEqual(expected.args);
  if (expected.related) expect(found.relatedProperties).toEqual(expected.related);
  expect(() => baseMessage(found.messageId, found.messageArgs, found.relatedProperties)).not.toThrow();
}

/** Narrows a plan result to a success, failing the test with the problem otherwise. */
export function expectAllocation<T extends object>(result: T | RedfishProblem): T {
  expect((result as RedfishProblem).kind, JSON.stringify(result)).not.toBe('problem');
  return result as T;
}
