/**
 * Sizes and addresses as QEMU 7.2 reads them from a command line, and the integer helpers the
 * platform model needs. Every 64-bit quantity is a bigint.
 */
import { reject } from './reject.js';

export const KiB = 1n << 10n;
export const MiB = 1n << 20n;
export const GiB = 1n << 30n;
export const TiB = 1n << 40n;

/** Largest value of a C uint64_t. */
export const U64_MAX = (1n << 64n) - 1n;

/** A size as platform.json writes it: bytes, or a string with an optional B/K/M/G/T suffix. */
export type SizeInput = number | string;

const SUFFIX_SHIFT: Readonly<Record<string, bigint>> = { '': 0n, B: 0n, K: 10n, M: 20n, G: 30n, T: 40n };

/**
 * What a suffix-less size means. QEMU's `-m` takes a bare number as MiB (the "legacy suffix-less
 * format" fix-up in `set_memory_options`); every other size option (`maxmem=`, `size=`,
 * `label-size=`, `align=`) takes it as bytes.
 */
export type BareUnit = 'bytes' | 'MiB';

/**
 * Parses a size with QEMU's binary units (`qemu_strtosz`): decimal or `0x` hex digits, then an
 * optional B/K/M/G/T suffix, case-insensitive. Fractions ("1.5G") are not accepted. The result
 * must fit a uint64.
 */
export function parseSize(value: unknown, path: string, bare: BareUnit = 'bytes'): bigint {
  let digits: bigint;
  let suffix: string;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw reject(path, `size ${value} is not a non-negative integer`);
    }
    digits = BigInt(value);
    suffix = '';
  } else if (typeof value === 'string') {
    const m = /^\s*(0x[0-9a-f]+|\d+)\s*([bkmgt]?)\s*$/i.exec(value);
    if (!m) {
      throw reject(path, `size ${JSON.stringify(value)} is not an integer with an optional B/K/M/G/T suffix`);
    }
    digits = BigInt(m[1] ?? '0');
    suffix = (m[2] ?? '').toUpperCase();
  } else {
    throw reject(path, `a size must be a number or a string, not ${describeType(value)}`);
  }
  const shift = suffix === '' && bare === 'MiB' ? 20n : (SUFFIX_SHIFT[suffix] ?? 0n);
  const bytes = digits << shift;
  if (bytes > U64_MAX) throw reject(path, `size ${String(value)} does not fit in 64 bits`);
  return bytes;
}

/**
 * Parses a guest-physical address: a non-negative integer or a string of decimal digits or
 * `0x` hex digits (what QEMU's uint64 `addr=` property accepts, minus octal).
 */
export function parseAddress(value: unknown, path: string): bigint {
  let addr: bigint;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw reject(path, `address ${value} is not a non-negative integer`);
    }
    addr = BigInt(value);
  } else if (typeof value === 'string') {
    const m = /^\s*(0x[0-9a-f]+|0|[1-9]\d*)\s*$/i.exec(value);
    if (!m) throw reject(path, `address ${JSON.stringify(value)} is not a decimal or 0x-hex integer`);
    addr = BigInt(m[1] ?? '0');
  } else {
    throw reject(path, `an address must be a number or a string, not ${describeType(value)}`);
  }
  if (addr > U64_MAX) throw reject(path, `address ${String(value)} does not fit in 64 bits`);
  return addr;
}

/** `0x%" PRIx64`: lowercase hex with the 0x prefix, as QEMU formats sizes in its messages. */
export function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

/** QEMU_ALIGN_UP for a power-of-two or any positive granule. */
export function alignUp(value: bigint, granule: bigint): bigint {
  return ((value + granule - 1n) / granule) * granule;
}

/** QEMU_ALIGN_DOWN. */
export function alignDown(value: bigint, granule: bigint): bigint {
  return (value / granule) * granule;
}

/** QEMU_IS_ALIGNED. */
export function isAligned(value: bigint, granule: bigint): boolean {
  return value % granule === 0n;
}

/** is_power_of_2: non-zero with a single bit set. */
export function isPowerOfTwo(value: bigint): boolean {
  return value > 0n && (value & (value - 1n)) === 0n;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
