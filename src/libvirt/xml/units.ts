/** libvirt's size units (scaled integers): powers of 1024 for K/M/G…, of 1000 for KB/MB/GB…. */
const FACTORS: Record<string, number> = {
  b: 1,
  bytes: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
  p: 1024 ** 5,
  pib: 1024 ** 5,
  pb: 1000 ** 5,
};

/** A size with its unit attribute in bytes; `defaultUnit` is what the element means without one. */
export function toBytes(value: string | number, unit: string | undefined, defaultUnit = 'KiB'): number {
  const factor = FACTORS[(unit ?? defaultUnit).toLowerCase()];
  if (factor === undefined) throw new Error(`unknown libvirt size unit '${unit}'`);
  const amount = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isFinite(amount) || amount < 0) throw new Error(`not a size: '${value}'`);
  return amount * factor;
}

/** Bytes as a whole number of `unit`, rounding down. */
export function fromBytes(bytes: number, unit: string): number {
  const factor = FACTORS[unit.toLowerCase()];
  if (factor === undefined) throw new Error(`unknown libvirt size unit '${unit}'`);
  return Math.floor(bytes / factor);
}
