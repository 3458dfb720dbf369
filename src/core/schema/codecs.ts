import { fc } from './fastCheck.js';
import { NvError } from '../errors.js';
import { guidAt, guidFromString, guidToString, type GuidOrder } from '../guid.js';
import { bytesToHex, hexInt, hexToBytes, jsonInteger } from '../hex.js';
import { GUID_JSON, U64_JSON, hexBytesJsonSchema } from './jsonSchema.js';
import { field, type Codec, type Field, type FieldInfo, type FieldOptions } from './field.js';

function jsonError(path: string, reason: string): never {
  throw new NvError('json', path, undefined, reason);
}

/** Unpins `{"$pin": v}` (a derived field the user wants written as given) and records the path. */
export function unpin(j: unknown, path: string, pins: Set<string>): unknown {
  if (j !== null && typeof j === 'object' && !Array.isArray(j) && '$pin' in j) {
    pins.add(path);
    return (j as { $pin: unknown }).$pin;
  }
  return j;
}

/** An unsigned integer as JSON gives it (a number, a decimal or "0x" string), at most `max`; NvError naming `path` otherwise. */
export function parseIntegerJson(j: unknown, path: string, max: bigint): bigint {
  let v: bigint;
  if (typeof j === 'number' && Number.isSafeInteger(j)) v = BigInt(j);
  else if (typeof j === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(j.trim())) v = BigInt(j.trim());
  else if (typeof j === 'bigint') v = j;
  else return jsonError(path, `expected an unsigned integer, got ${JSON.stringify(j)}`);
  if (v < 0n || v > max) jsonError(path, `${j} does not fit in ${max.toString(16).length * 4} bits`);
  return v;
}

/** Unsigned little-endian integer of 1, 2 or 4 bytes, as a JS number. */
export function uintCodec(size: 1 | 2 | 4): Codec<number> {
  const max = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  return {
    size,
    leaf: size === 1 ? 'u8' : size === 2 ? 'u16' : 'u32',
    decode: (r, _f, _ctx, path) => (size === 1 ? r.u8(path) : size === 2 ? r.u16(path) : r.u32(path)),
    encode: (w, v) => (size === 1 ? w.u8(v) : size === 2 ? w.u16(v) : w.u32(v)),
    arbitrary: (f) => (f.expect !== undefined ? fc.constant(f.expect as number) : f.reserved ? fc.constant(0) : fc.integer({ min: 0, max })),
    zero: () => 0,
    show: (v) => hexInt(v, size * 2),
    jsonSchema: () => ({ type: 'integer', minimum: 0, maximum: max }),
    toJson: (v) => v,
    fromJson: (j, path, pins) => Number(parseIntegerJson(unpin(j, path, pins), path, BigInt(max))),
  };
}

/** Unsigned big-endian integer of 2 or 4 bytes (XFS super block, QEMU fw_cfg file directory). */
export function beUintCodec(size: 2 | 4): Codec<number> {
  const max = size === 4 ? 0xffffffff : 0xffff;
  return {
    size,
    leaf: 'call',
    fast: { kind: 'read', read: (b, at) => (size === 2 ? (b[at]! << 8) | b[at + 1]! : ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!) },
    decode: (r, _f, _ctx, path) => {
      const b = r.bytesView(size, path);
      return size === 2 ? (b[0]! << 8) | b[1]! : ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
    },
    encode: (w, v) => {
      if (size === 4) w.u8((v >>> 24) & 0xff), w.u8((v >>> 16) & 0xff);
      w.u8((v >>> 8) & 0xff);
      w.u8(v & 0xff);
    },
    arbitrary: (f) => (f.expect !== undefined ? fc.constant(f.expect as number) : f.reserved ? fc.constant(0) : fc.integer({ min: 0, max })),
    zero: () => 0,
    show: (v) => hexInt(v, size * 2),
    jsonSchema: () => ({ type: 'integer', minimum: 0, maximum: max }),
    toJson: (v) => v,
    fromJson: (j, path, pins) => Number(parseIntegerJson(unpin(j, path, pins), path, BigInt(max))),
  };
}

/** Unsigned 64-bit little-endian integer, always a bigint. JSON: a number, a decimal string past 2^53-1. */
export const u64Codec: Codec<bigint> = {
  size: 8,
  leaf: 'u64',
  decode: (r, _f, _ctx, path) => r.u64(path),
  encode: (w, v) => w.u64(v),
  arbitrary: (f) =>
    f.expect !== undefined ? fc.constant(f.expect as bigint) : f.reserved ? fc.constant(0n) : fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  zero: () => 0n,
  show: (v) => hexInt(v, 16),
  toJson: (v) => jsonInteger(v),
  fromJson: (j, path, pins) => parseIntegerJson(unpin(j, path, pins), path, (1n << 64n) - 1n),
  jsonSchema: () => U64_JSON,
};

/** Byte-count source: a constant, an earlier field of the same struct, or a function of it. */
export type SizeSpec = number | string | ((parent: Readonly<Record<string, unknown>>) => number);

export function resolveSize(spec: SizeSpec, parent: Readonly<Record<string, unknown>>): number {
  if (typeof spec === 'number') return spec;
  if (typeof spec === 'function') return spec(parent);
  const v = parent[spec];
  return typeof v === 'bigint' ? Number(v) : Number(v ?? 0);
}

/** Raw bytes; JSON as a hex string. */
export function bytesCodec(sizeSpec: SizeSpec, maxArbitrary = 32): Codec<Uint8Array> {
  const fixed = typeof sizeSpec === 'number' ? sizeSpec : undefined;
  return {
    size: fixed,
    ...(fixed !== undefined ? { leaf: 'call' as const } : {}),
    ...(typeof sizeSpec !== 'function' ? { fast: { kind: 'bytes' as const, size: sizeSpec } } : {}),
    decode: (r, _f, _ctx, path, parent) => r.copy(resolveSize(sizeSpec, parent), path),
    encode: (w, v) => w.bytes(v),
    arbitrary: (f) =>
      fixed !== undefined
        ? f.reserved
          ? fc.constant(new Uint8Array(fixed))
          : fc.uint8Array({ minLength: fixed, maxLength: fixed })
        : fc.uint8Array({ maxLength: maxArbitrary }),
    zero: () => new Uint8Array(fixed ?? 0),
    show: (v) => (v.length <= 16 ? bytesToHex(v, ' ') || '(empty)' : `${bytesToHex(v.subarray(0, 16), ' ')} ... (${v.length} bytes)`),
    toJson: (v) => bytesToHex(v),
    jsonSchema: hexBytesJsonSchema,
    fromJson: (j, path) => {
      const b = typeof j === 'string' ? hexToBytes(j) : undefined;
      if (!b) return jsonError(path, 'expected a hex byte string');
      if (fixed !== undefined && b.length !== fixed) jsonError(path, `expected ${fixed} bytes, got ${b.length}`);
      return b;
    },
  };
}

/** Everything left in the enclosing record (SMBIOS data, unknown structure bodies). */
export const tailCodec: Codec<Uint8Array> = {
  ...bytesCodec(() => 0),
  decode: (r, _f, _ctx, path) => r.copy(r.remaining, path),
  fast: { kind: 'tail' },
  arbitrary: () => fc.uint8Array({ maxLength: 24 }),
};

/**
 * Fixed-width ASCII (signatures, OEM ids). Only trailing NULs are dropped; the encoder pads with
 * NUL, so any byte string round-trips (bytes are mapped 1:1 to code points 0-255).
 */
export function asciiCodec(size: number): Codec<string> {
  return {
    size,
    leaf: 'call',
    fast: {
      kind: 'read',
      read: (b, at) => {
        let end = at + size;
        while (end > at && b[end - 1] === 0) end--;
        let s = '';
        for (let i = at; i < end; i++) s += String.fromCharCode(b[i]!);
        return s;
      },
    },
    decode: (r, _f, _ctx, path) => {
      const b = r.bytesView(size, path);
      let end = b.length;
      while (end > 0 && b[end - 1] === 0) end--;
      let s = '';
      for (let i = 0; i < end; i++) s += String.fromCharCode(b[i]!);
      return s;
    },
    encode: (w, v) => {
      for (let i = 0; i < size; i++) w.u8(i < v.length ? v.charCodeAt(i) & 0xff : 0);
    },
    arbitrary: (f) =>
      f.expect !== undefined
        ? fc.constant(f.expect as string)
        : fc
            .array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: size })
            .map((cs) => String.fromCharCode(...cs)),
    zero: () => '',
    show: (v) => JSON.stringify(v),
    toJson: (v) => v,
    fromJson: (j, path) => {
      if (typeof j !== 'string') return jsonError(path, 'expected a string');
      if (j.length > size) jsonError(path, `longer than ${size} characters`);
      if (/[^\u0000-\u00ff]/.test(j)) jsonError(path, 'only 8-bit characters fit');
      return j;
    },
  };
}

/** A 16-byte identifier in EFI (mixed-endian) or RFC byte order; value is the string form. */
export function guidCodec(order: GuidOrder): Codec<string> {
  return {
    size: 16,
    leaf: 'call',
    fast: { kind: 'read', read: (b, at) => guidAt(b, at, order) },
    decode: (r, _f, _ctx, path) => guidAt(r.bytesView(16, path), 0, order),
    encode: (w, v) => w.bytes(guidFromString(v, order)),
    arbitrary: (f) =>
      f.expect !== undefined
        ? fc.constant(f.expect as string)
        : fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => guidToString(b, 'rfc')),
    zero: () => '00000000-0000-0000-0000-000000000000',
    show: (v) => v,
    jsonSchema: () => GUID_JSON,
    toJson: (v) => v,
    fromJson: (j, path) => {
      if (typeof j !== 'string') return jsonError(path, 'expected a GUID string');
      guidFromString(j, order, path);
      return j.toLowerCase();
    },
  };
}

// ---- field builders: one line per field in a declaration -------------------------------------
export const u8 = <N extends string>(name: N, o?: FieldOptions<number>): Field<N, number, false> => field(name, uintCodec(1), o);
export const u16 = <N extends string>(name: N, o?: FieldOptions<number>): Field<N, number, false> => field(name, uintCodec(2), o);
export const u32 = <N extends string>(name: N, o?: FieldOptions<number>): Field<N, number, false> => field(name, uintCodec(4), o);
export const be16 = <N extends string>(name: N, o?: FieldOptions<number>): Field<N, number, false> => field(name, beUintCodec(2), o);
export const be32 = <N extends string>(name: N, o?: FieldOptions<number>): Field<N, number, false> => field(name, beUintCodec(4), o);
export const u64 = <N extends string>(name: N, o?: FieldOptions<bigint>): Field<N, bigint, false> => field(name, u64Codec, o);
export const bytes = <N extends string>(name: N, size: SizeSpec, o?: FieldOptions<Uint8Array>): Field<N, Uint8Array, false> =>
  field(name, bytesCodec(size), o);
export const reserved = <N extends string>(name: N, size: number, o?: FieldOptions<Uint8Array>): Field<N, Uint8Array, false> =>
  field(name, bytesCodec(size), { label: 'Reserved', ...o, reserved: true });
export const ascii = <N extends string>(name: N, size: number, o?: FieldOptions<string>): Field<N, string, false> =>
  field(name, asciiCodec(size), o);
export const efiGuid = <N extends string>(name: N, o?: FieldOptions<string>): Field<N, string, false> => field(name, guidCodec('efi'), o);
export const rfcUuid = <N extends string>(name: N, o?: FieldOptions<string>): Field<N, string, false> => field(name, guidCodec('rfc'), o);
export const tail = <N extends string>(name: N, o?: FieldOptions<Uint8Array>): Field<N, Uint8Array, false> => field(name, tailCodec, o);

export function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

export type { FieldInfo };
