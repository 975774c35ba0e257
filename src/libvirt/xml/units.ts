/**
 * libvirt's scaled integers (memory, capacity, allocation): the `unit` attribute names a power of
 * 1024 (k, KiB, M, MiB…) or of 1000 (KB, MB…), case-insensitively, as libvirt's own parser reads
 * it. Without a unit, each element has its own default (KiB for memory, bytes for capacity).
 */
const FACTORS: Readonly<Record<string, bigint>> = (() => {
  const factors: Record<string, bigint> = { b: 1n, byte: 1n, bytes: 1n };
  ['k', 'm', 'g', 't', 'p', 'e'].forEach((letter, index) => {
    const power = BigInt(index + 1);
    factors[letter] = 1024n ** power;
    factors[`${letter}ib`] = 1024n ** power;
    factors[`${letter}b`] = 1000n ** power;
  });
  return factors;
})();

export type SizeUnit = string;

function factorOf(unit: SizeUnit): bigint {
  const factor = FACTORS[unit.toLowerCase()];
  if (factor === undefined)
    throw new RangeError(`unknown libvirt size unit '${unit}' (expected b, KiB, MiB, GiB, TiB, KB, MB… or bytes)`);
  return factor;
}

/** True for the unit names libvirt accepts. */
export function isSizeUnit(unit: string): boolean {
  return FACTORS[unit.toLowerCase()] !== undefined;
}

/**
 * A size as libvirt writes it (`value` in `unit`, or in `defaultUnit` when the attribute is
 * absent) in bytes. libvirt's sizes are whole numbers, so a fraction or a sign is refused rather
 * than rounded; so is a size past 2^53, which a JavaScript number cannot hold exactly.
 */
export function toBytes(value: string | number, unit: SizeUnit | undefined, defaultUnit: SizeUnit = 'KiB'): number {
  const digits = typeof value === 'number' ? String(value) : value.trim();
  if (!/^\d+$/.test(digits))
    throw new RangeError(`not a size: '${value}' (libvirt sizes are whole non-negative numbers)`);
  const bytes = BigInt(digits) * factorOf(unit ?? defaultUnit);
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`size ${value} ${unit ?? defaultUnit} is too large to handle exactly`);
  return Number(bytes);
}

/** Bytes as a whole number of `unit`, rounding down (as a capacity that must fit). */
export function fromBytes(bytes: number, unit: SizeUnit): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`not a byte count: ${bytes}`);
  return Number(BigInt(bytes) / factorOf(unit));
}
