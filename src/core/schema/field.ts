import type { Arbitrary } from 'fast-check';
import type { ByteReader } from '../bytes/reader.js';
import type { ByteWriter } from '../bytes/writer.js';
import type { SizeSpec } from './codecs.js';
import type { DecodeContext, EncodeContext } from './context.js';

/**
 * How the compiled fast decoder (`compileFastDecoder`) reads a field straight from the input
 * bytes, for decodes that want values only (no spans). Integer leaves need none: `leaf` says it.
 */
export type FastRead =
  /** Fixed size (`Codec.size`): the value held by the bytes at `b[at]`. */
  | { kind: 'read'; read: (b: Uint8Array, at: number) => unknown }
  /** A fresh copy of `size` bytes: a constant or an earlier integer field. */
  | { kind: 'bytes'; size: SizeSpec }
  /** A fresh copy of every byte left in the record. */
  | { kind: 'tail' }
  /** `count` items of a fixed-size item codec that reads fast itself (a leaf integer or `read`). */
  | { kind: 'array'; item: Codec<any>; count: SizeSpec };

/**
 * How one kind of value is read, written, generated and shown. A codec knows nothing of the
 * field it sits in beyond `FieldInfo`; the struct walker owns paths, spans and derived roles.
 */
export interface Codec<T> {
  /** Encoded size when it is fixed, else undefined (depends on the value or the input). */
  readonly size: number | undefined;
  decode(r: ByteReader, f: FieldInfo, ctx: DecodeContext, path: string, parent: Readonly<Record<string, unknown>>): T;
  encode(w: ByteWriter, v: T, ctx: EncodeContext, path: string, parent: Readonly<Record<string, unknown>>): void;
  arbitrary(f: FieldInfo): Arbitrary<T>;
  /** Text for the annotated dump. */
  show(v: T): string;
  toJson(v: T): unknown;
  fromJson(j: unknown, path: string, pins: Set<string>): T;
  /** The JSON Schema of `toJson`'s output, where the codec knows it better than its zero value says (jsonSchema.ts). */
  jsonSchema?(): Record<string, unknown>;
  /** The value a field takes when a description leaves it out (zero, empty, nil GUID). */
  zero?(): T;
  /** True for codecs that hold whole structures (they report their own spans). */
  readonly composite?: boolean;
  /**
   * Set on fixed-size leaf codecs whose decode fails only when fewer than `size` bytes remain (the
   * path is used in that error alone). The compiled walker then builds a field's path only on that
   * failure, for a finding or for a dump, and reads `u8`..`u64` inline (`read`), or calls `decode`.
   */
  readonly leaf?: 'u8' | 'u16' | 'u32' | 'u64' | 'call';
  /** Set when the compiled fast decoder can read this codec without a `ByteReader`. */
  readonly fast?: FastRead;
}

/** Fields whose value the encoder derives from the rest (ACPICA's DT_LENGTH; QEMU's acpi_table_end). */
export type Role =
  | { kind: 'length' }
  | { kind: 'count'; of: string }
  | { kind: 'checksum'; algo: 'acpi8' | 'fletcher64' | 'crc32' };

export interface FieldInfo {
  readonly name: string;
  /** Display name for dumps, in the spec's words. */
  readonly label: string;
  readonly doc?: string;
  /** The name the spec or the C source uses, for grep-ability. */
  readonly specName?: string;
  readonly role?: Role;
  /** The only valid value (a signature, a type code); a mismatch is a finding. */
  readonly expect?: unknown;
  /** Bit index → name, for flag words. */
  readonly flags?: Readonly<Record<number, string>>;
  /** Value → name (enums, well-known GUIDs). Keys are decimal numbers or GUID strings. */
  readonly names?: Readonly<Record<string, string>>;
  /** Reserved: should be zero; non-zero is kept byte-exactly and reported. */
  readonly reserved?: boolean;
  /** Free-form decoded meaning for the dump (e.g. an NFIT device handle's parts). */
  readonly describe?: (v: any) => string | undefined;
  /** Part of a trailing group that only longer records carry (e.g. SPA location cookie). */
  readonly optional?: boolean;
}

export interface Field<N extends string = string, T = unknown, O extends boolean = boolean> extends FieldInfo {
  readonly name: N;
  readonly codec: Codec<T>;
  readonly optional: O;
}

export interface FieldOptions<T> {
  label?: string;
  doc?: string;
  specName?: string;
  role?: Role;
  expect?: T;
  flags?: Readonly<Record<number, string>>;
  names?: Readonly<Record<string, string>>;
  reserved?: boolean;
  describe?: (v: T) => string | undefined;
}

/** `rangeGuid` → `Range Guid`; labels can be given explicitly where the spec words differ. */
export function labelOf(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
  return words;
}

export function field<N extends string, T>(name: N, codec: Codec<T>, opts: FieldOptions<T> = {}): Field<N, T, false> {
  return { ...opts, label: opts.label ?? labelOf(name), name, codec, optional: false };
}

/** Mark a field as part of the optional trailing group (present only in longer records). */
export function optional<N extends string, T>(f: Field<N, T, boolean>): Field<N, T, true> {
  return { ...f, optional: true };
}

// Convenience: one entry for every scalar width, used across the formats.
export type AnyField = Field<string, any, boolean>;
