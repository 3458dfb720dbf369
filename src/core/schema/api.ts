import { ByteReader } from '../bytes/reader.js';
import { ByteWriter } from '../bytes/writer.js';
import { newDecodeContext, type Finding, type Span } from './context.js';
import type { Struct, ValueOf } from './struct.js';

export interface Decoded<T> {
  value: T;
  findings: Finding[];
  /** Present when `spans: true` was asked for. */
  spans?: Span[];
  /** Bytes the structure occupied. */
  size: number;
}

export interface DecodeOptions {
  /** Format name for error messages; defaults to the struct's name. */
  format?: string;
  /** Absolute offset of `bytes[0]` in the file, so errors and dumps give file offsets. */
  base?: number;
  /** Collect field spans for an annotated dump. */
  spans?: boolean;
  /** Decode every record with the full walker, never the compiled fast paths (tests compare the two). */
  fullWalk?: boolean;
}

/** Decode one structure from the start of `bytes`; throws only `NvError`. */
export function decodeStruct<S extends Struct<any>>(s: S, bytes: Uint8Array, o: DecodeOptions = {}): Decoded<ValueOf<S>> {
  const r = new ByteReader(bytes, o.format ?? s.name, o.base ?? 0);
  const ctx = newDecodeContext(o.spans, o.fullWalk);
  const value = s.decode(r, undefined, ctx, '') as ValueOf<S>;
  return { value, findings: ctx.findings, ...(ctx.spans ? { spans: ctx.spans } : {}), size: r.position };
}

export interface EncodeOptions {
  /** `all` writes derived fields as given; a set pins single field paths (`structures[2].length`). */
  pins?: 'all' | ReadonlySet<string>;
}

/** Encode a value; lengths, counts and checksums are computed unless pinned. */
export function encodeStruct<S extends Struct<any>>(s: S, value: ValueOf<S>, o: EncodeOptions = {}): Uint8Array {
  const w = new ByteWriter(s.size ?? 1024);
  s.encode(w, value, { pins: o.pins ?? new Set() }, '');
  return w.finish();
}

/** JSON (as `nvtool decode --json` prints it, possibly edited) → value plus the paths it pins. */
export function structFromJson<S extends Struct<any>>(s: S, json: unknown): { value: ValueOf<S>; pins: Set<string> } {
  const pins = new Set<string>();
  const value = s.fromJson(json, '', pins) as ValueOf<S>;
  return { value, pins };
}
