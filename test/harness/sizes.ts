/** Sizes as platform.json and QEMU write them: an integer of bytes or a string with a K/M/G/T suffix. */
export type Size = number | string;

const SUFFIX_SHIFT: Record<string, bigint> = { '': 0n, B: 0n, K: 10n, M: 20n, G: 30n, T: 40n };

/** Bytes of a size; throws on anything QEMU's integer-with-suffix syntax would not take. */
export function parseSize(size: Size): bigint {
  if (typeof size === 'number') {
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`bad size ${size}`);
    return BigInt(size);
  }
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*([bkmgt]?)\s*$/i.exec(size);
  if (!m) throw new Error(`bad size ${JSON.stringify(size)} (want an integer with optional K/M/G/T suffix)`);
  return BigInt(m[1]!) << SUFFIX_SHIFT[m[2]!.toUpperCase()]!;
}

/** The size as written on a QEMU command line: strings as given, numbers in decimal bytes. */
export function qemuSize(size: Size): string {
  return typeof size === 'number' ? String(size) : size.trim();
}

export function roundUp(value: bigint, granule: bigint): bigint {
  return ((value + granule - 1n) / granule) * granule;
}
