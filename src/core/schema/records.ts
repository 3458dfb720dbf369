import type { Arbitrary } from 'fast-check';
import { fc } from './fastCheck.js';
import { NvError, isNvError } from '../errors.js';
import type { ByteReader } from '../bytes/reader.js';
import type { FastDecoder } from './compile.js';
import type { DecodeContext } from './context.js';
import { parseIntegerJson } from './codecs.js';
import { field, type Codec, type FieldOptions, type Field } from './field.js';
import type { Struct, ValueOf } from './struct.js';

/** A record kept as bytes: an unknown type, or a known one that did not decode. */
export interface RawRecord {
  $raw: true;
  type: number;
  length: number;
  data: Uint8Array;
  $trailing?: Uint8Array;
}

export interface RecordRegistry<V extends Record<number, Struct<any>>> {
  /** Display name of the list, e.g. `NFIT structure`. */
  label: string;
  /** One struct per type code: the only place type → layout is written (both directions use it). */
  variants: V;
  /** Layout for records kept raw: `{type, length, data}` with the same header as the variants. */
  raw: Struct<any>;
  /** Type name for dumps and messages. */
  typeName(type: number): string;
  /** Size of the common `type, length` header; both are little-endian 16-bit here. */
  headerSize: 4;
}

export type RecordValue<V extends Record<number, Struct<any>>> = { [K in keyof V]: ValueOf<V[K]> }[keyof V] | RawRecord;

/**
 * A list of `{u16 type, u16 length}` records packed to the end of the enclosing region (NFIT
 * subtables). Unknown types are kept raw; a known type that fails to decode is kept raw with an
 * error finding; a zero or overlong length stops the walk (as Linux does) and leaves the rest to
 * the enclosing record's trailing bytes, so every input still re-encodes exactly.
 */
export function recordsCodec<V extends Record<number, Struct<any>>>(reg: RecordRegistry<V>, maxArbitrary = 6): Codec<RecordValue<V>[]> {
  const decodeRaw = (r: ByteReader, ctx: Parameters<Codec<unknown>['decode']>[2], path: string): RawRecord => {
    const v = reg.raw.decode(r, undefined, ctx, path) as unknown as RawRecord;
    v.$raw = true;
    return v;
  };
  let byType: (FastDecoder | null | undefined)[] | undefined;
  let byTypeSpans: (FastDecoder | null | undefined)[] | undefined;
  /** Takes records while they are clean and of a known type; stops at the first other one. */
  const fastRecords = (r: ByteReader, out: unknown[], ctx: DecodeContext, path: string): void => {
    const spans = ctx.spans !== undefined;
    const table = spans ? (byTypeSpans ??= []) : (byType ??= []);
    const b = r.raw;
    const lim = r.limit;
    for (;;) {
      const at = r.cursor;
      if (lim - at < reg.headerSize) return;
      // The type is the header's first u16 (RecordRegistry: `type, length`, little-endian).
      const type = b[at]! | (b[at + 1]! << 8);
      let fd = table[type];
      if (fd === undefined) {
        const s = reg.variants[type as keyof V] as Struct<any> | undefined;
        fd = table[type] = s ? s.fastDecoder(spans) : null;
      }
      if (fd === null) return;
      const v = spans ? fd(r, ctx, `${path}[${out.length}]`) : fd(r);
      if (v === undefined) return;
      out.push(v);
    }
  };
  return {
    jsonSchema: () => ({ type: 'array', items: { anyOf: [...Object.values(reg.variants).map((v) => (v as Struct<any>).jsonSchema()), reg.raw.jsonSchema()] } }),
    size: undefined,
    composite: true,
    decode(r, _f, ctx, path) {
      const out: RecordValue<V>[] = [];
      while (r.remaining > 0) {
        // Clean records of known types go through their structs' compiled fast paths.
        if (!ctx.fullWalk) fastRecords(r, out, ctx, path);
        if (r.remaining === 0) break;
        const i = out.length;
        const ipath = `${path}[${i}]`;
        if (r.remaining < reg.headerSize) {
          ctx.findings.push({ severity: 'error', code: 'stray-bytes', path: ipath, offset: r.offset, message: `${r.remaining} byte(s) after the last ${reg.label}, too few for a header` });
          break;
        }
        const type = r.peekU16(0);
        const len = r.peekU16(2);
        if (len === 0) {
          ctx.findings.push({ severity: 'error', code: 'zero-length', path: `${ipath}.length`, offset: r.offset + 2, message: `${reg.typeName(type)} has length 0; Linux stops parsing here and ignores the rest` });
          break;
        }
        if (len < reg.headerSize) {
          ctx.findings.push({ severity: 'error', code: 'short-length', path: `${ipath}.length`, offset: r.offset + 2, message: `${reg.typeName(type)} has length ${len}, shorter than its own ${reg.headerSize}-byte header; the walk stops here` });
          break;
        }
        if (len > r.remaining) {
          ctx.findings.push({ severity: 'error', code: 'overrun', path: `${ipath}.length`, offset: r.offset + 2, message: `${reg.typeName(type)} length ${len} runs past the end (${r.remaining} bytes remain)` });
          break;
        }
        const variant = reg.variants[type as keyof V] as Struct<any> | undefined;
        if (!variant) {
          ctx.findings.push({ severity: 'info', code: 'unknown-type', path: ipath, offset: r.offset, message: `unknown ${reg.label} type ${type}, ${len} bytes kept as they are (Linux skips it)` });
          out.push(decodeRaw(r, ctx, ipath));
          continue;
        }
        const at = r.position;
        const spanMark = ctx.spans?.length ?? 0;
        const findMark = ctx.findings.length;
        try {
          out.push(variant.decode(r, undefined, ctx, ipath) as RecordValue<V>);
        } catch (e) {
          if (!isNvError(e)) throw e;
          r.seek(at);
          ctx.spans?.splice(spanMark);
          ctx.findings.splice(findMark);
          ctx.findings.push({ severity: 'error', code: 'bad-structure', path: e.path, offset: e.offset, message: `${reg.typeName(type)} kept raw: ${e.reason}` });
          out.push(decodeRaw(r, ctx, ipath));
        }
      }
      return out;
    },
    encode(w, v, ctx, path) {
      v.forEach((rec, i) => {
        const s = (rec as RawRecord).$raw ? reg.raw : ((reg.variants[(rec as { type: number }).type as keyof V] as Struct<any> | undefined) ?? reg.raw);
        s.encode(w, rec as never, ctx, `${path}[${i}]`);
      });
    },
    arbitrary: () => {
      const arbs = Object.values(reg.variants).map((s) => (s as Struct<any>).arbitrary());
      return fc.array(fc.oneof(...arbs), { maxLength: maxArbitrary }) as Arbitrary<RecordValue<V>[]>;
    },
    zero: () => [],
    show: (v) => `[${v.length} ${reg.label}s]`,
    toJson: (v) =>
      v.map((rec) => {
        const s = (rec as RawRecord).$raw ? reg.raw : ((reg.variants[(rec as { type: number }).type as keyof V] as Struct<any> | undefined) ?? reg.raw);
        return s.toJson(rec as never);
      }),
    fromJson(j, path, pins) {
      if (!Array.isArray(j)) throw new NvError('json', path, undefined, `expected an array of ${reg.label}s`);
      return j.map((x: unknown, i: number) => {
        const ipath = `${path}[${i}]`;
        const o = x as { type?: unknown; $raw?: unknown } | null;
        if (o === null || typeof o !== 'object') throw new NvError('json', ipath, undefined, `expected a ${reg.label} object`);
        // the selector reads like every other integer: a number, or a decimal or "0x…" string
        const type = Number(parseIntegerJson(o.type, `${ipath}.type`, BigInt(Number.MAX_SAFE_INTEGER)));
        const s = o.$raw === true ? reg.raw : ((reg.variants[type as keyof V] as Struct<any> | undefined) ?? reg.raw);
        const v = s.fromJson(x, ipath, pins) as RecordValue<V>;
        if (s === reg.raw) (v as RawRecord).$raw = true;
        return v;
      });
    },
  };
}

export const records = <N extends string, V extends Record<number, Struct<any>>>(name: N, reg: RecordRegistry<V>, o?: FieldOptions<RecordValue<V>[]>): Field<N, RecordValue<V>[], false> =>
  field(name, recordsCodec(reg), o);
