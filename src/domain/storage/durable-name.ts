import { createHash } from 'node:crypto';

/**
 * An NAA-5 (IEEE Registered) name: 16 hex digits, the first being 5, as controllers give their
 * logical drives. Derived from `seed` by hashing, so the same request always gets the same name
 * (replay reproduces it) and different volumes differ. 16 digits fit the 20 bytes a virtio disk
 * serial can carry, where the guest reads it back.
 */
export function naaDurableName(seed: string): string {
  return `5${createHash('sha256').update(seed).digest('hex').slice(0, 15)}`.toUpperCase();
}
