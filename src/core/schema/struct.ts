import type { Arbitrary } from 'fast-check';
import { codecJsonSchema, hexBytesJsonSchema, type JsonSchema } from './jsonSchema.js';
import { fc } from './fastCheck.js';
import { ByteReader, joinPath } from '../bytes/reader.js';
import { ByteWriter } from '../bytes/writer.js';
import { acpiByteSum, acpiChecksumFor } from '../checksum/acpi.js';
import { crc32 } from '../checksum/crc32.js';
import { fletcher64 } from '../checksum/fletcher64.js';
import { NvError } from '../errors.js';
import { bytesToHex, hexInt, hexToBytes } from '../hex.js';
import { isZero } from './codecs.js';
import { compileFastDecoder, compileFieldDecoder, compileFieldEncoder, type FastDecoder, type FastPlan, type FieldDecoder, type FieldEncoder } from './compile.js';
import type { DecodeContext, EncodeContext } from './context.js';
import type { AnyField, Codec, Field, FieldInfo } from './field.js';

type Req<F> = F extends Field<infer N, infer T, false> ? [N, T] : never;
type Opt<F> = F extends Field<infer N, infer T, true> ? [N, T] : never;

/** The decoded value of a struct, inferred from its declaration. */
export type StructValue<F extends readonly AnyField[]> = {
  [P in Req<F[number]> as P[0]]: P[1];
} & {
  [P in Opt<F[number]> as P[0]]?: P[1];
} & {
  /** Bytes inside the record's declared length beyond its fields, kept for an exact re-encode. */
  $trailing?: Uint8Array;
};

export type ValueOf<S> = S extends Struct<infer F> ? StructValue<F> : never;

export interface StructOptions {
  /** Display name in dumps and messages, in the spec's words. */
  label?: string;
  /** Where the layout comes from: `ACPI 6.5 §5.2.26.2`. */
  spec?: string;
  /** Expected fixed size of the required fields; checked when the declaration loads. */
  size?: number;
  /**
   * The length-role field that bounds the record: decoding reads it first and decodes the record
   * inside a sub-reader of exactly that many bytes (Kaitai `size:`).
   */
  boundBy?: string;
}

type Obj = Record<string, unknown>;

/**
 * One on-media structure, declared once as an ordered list of fields. The same declaration is
 * walked to decode, encode, dump, validate and generate (fast-check) values.
 */
export class Struct<F extends readonly AnyField[] = readonly AnyField[]> implements Codec<StructValue<F>> {
  readonly composite = true;
  readonly label: string;
  readonly size: number | undefined;
  /** Size of the fields that every record has (everything but the optional trailing group). */
  readonly requiredSize: number | undefined;
  private readonly offsets = new Map<string, number>();
  private readonly optionalSize: number | undefined;
  /** Precomputed for the hot decode loop. */
  private readonly roleFields: readonly AnyField[];
  private readonly regionRoles: boolean;
  private readonly checkedFields: ReadonlySet<AnyField>;
  private readonly bound: { field: AnyField; at: number; size: 1 | 2 | 4 } | undefined;
  /** Compiled on first use, so loading a module of declarations costs no code generation. */
  private decodeFieldsFn: FieldDecoder | undefined;
  private encodeFieldsFn: FieldEncoder | undefined;
  /** null: the declaration has fields the fast path does not read (composites). */
  private fastFn: FastDecoder | null | undefined;
  /** The same, recording the dump's spans too. */
  private spanFn: FastDecoder | null | undefined;

  constructor(
    readonly name: string,
    readonly fields: F,
    readonly options: StructOptions = {},
  ) {
    this.label = options.label ?? name;
    let off: number | undefined = 0;
    let req: number | undefined;
    let optSize: number | undefined = 0;
    for (const f of fields) {
      if (f.optional && req === undefined) req = off;
      if (off !== undefined) this.offsets.set(f.name, off);
      const s = f.codec.size;
      off = off === undefined || s === undefined ? undefined : off + s;
      if (f.optional) optSize = optSize === undefined || s === undefined ? undefined : optSize + s;
    }
    this.requiredSize = req ?? off;
    this.optionalSize = req === undefined ? 0 : optSize;
    this.size = options.boundBy || fields.some((f) => f.optional) ? undefined : off;
    if (options.size !== undefined && this.requiredSize !== options.size) {
      throw new Error(`${name}: declared size ${options.size} but fields add up to ${this.requiredSize}`);
    }
    if (options.boundBy !== undefined && !this.offsets.has(options.boundBy)) {
      throw new Error(`${name}: boundBy field ${options.boundBy} has no fixed offset`);
    }
    this.roleFields = fields.filter((f) => f.role);
    // A bounded record's length role is its sub-reader's size already: only checksums and unbounded lengths are checked.
    this.regionRoles = this.roleFields.some((f) => f.role!.kind === 'checksum' || (f.role!.kind === 'length' && options.boundBy === undefined));
    this.checkedFields = new Set(fields.filter((f) => f.expect !== undefined || f.reserved));

    if (options.boundBy !== undefined) {
      const field = fields.find((f) => f.name === options.boundBy)!;
      this.bound = { field, at: this.offsets.get(field.name)!, size: field.codec.size as 1 | 2 | 4 };
    }
  }

  /** Byte offset of a field whose offset is fixed (ask the declaration, never type an offset). */
  offsetOf(name: F[number]['name']): number {
    const o = this.offsets.get(name);
    if (o === undefined) throw new Error(`${this.name}.${name} has no fixed offset`);
    return o;
  }

  /** Byte size of a fixed-size field (ask the declaration, never type a size). */
  sizeOf(name: F[number]['name']): number {
    const s = this.field(name).codec.size;
    if (typeof s !== 'number') throw new Error(`${this.name}.${name} has no fixed size`);
    return s;
  }

  field(name: F[number]['name']): F[number] {
    const f = this.fields.find((x) => x.name === name);
    if (!f) throw new Error(`${this.name} has no field ${name}`);
    return f;
  }

  // ---- decode -------------------------------------------------------------------------------

  decode(r: ByteReader, _f: FieldInfo | undefined, ctx: DecodeContext, path: string): StructValue<F> {
    const fd = ctx.fullWalk ? null : this.fastDecoder(ctx.spans !== undefined);
    if (fd !== null) {
      const v = fd(r, ctx, path);
      if (v !== undefined) return v as StructValue<F>;
    }
    const startAbs = r.offset;
    let rr = r;
    if (this.bound !== undefined) {
      const { field: lf, at, size } = this.bound;
      if (r.remaining < at + size) r.fail(joinPath(path, lf.name), `${this.label} is truncated: ${r.remaining} bytes left, its length field ends at ${at + size}`);
      const len = size === 1 ? r.peekU8(at) : size === 2 ? r.peekU16(at) : r.peekU32(at);
      const min = this.requiredSize ?? at + size;
      if (len < min) r.fail(joinPath(path, lf.name), `length ${len} is less than the ${min} bytes a ${this.label} needs`, r.position + at);
      if (len > r.remaining) r.fail(joinPath(path, lf.name), `length ${len} runs past the end of the data (${r.remaining} bytes remain)`, r.position + at);
      rr = r.sub(len, path);
    }
    const start = rr.position;
    if (ctx.spans) ctx.spans.push({ path, offset: startAbs, size: 0, label: this.label, value: undefined, group: true });
    const group = ctx.spans?.[ctx.spans.length - 1];
    const v: Obj = {};
    this.decodeFieldsFn ??= compileFieldDecoder(this.fields, this.checkedFields, { checkField, meaningOf, optionalSize: this.optionalSize });
    this.decodeFieldsFn(rr, ctx, path, v);
    if (this.options.boundBy !== undefined && rr.remaining > 0) {
      const at = rr.offset;
      const extra = rr.copy(rr.remaining, joinPath(path, '$trailing'));
      v.$trailing = extra;
      ctx.findings.push({
        severity: 'warning', code: 'trailing-bytes', path, offset: at,
        message: `${extra.length} byte(s) inside the ${this.label}'s length beyond its fields, kept as they are`,
      });
      if (ctx.spans) ctx.spans.push({ path: joinPath(path, '$trailing'), offset: at, size: extra.length, label: 'Trailing bytes', value: extra, text: bytesToHex(extra.subarray(0, 16), ' ') });
    }
    if (group) group.size = rr.position - start;
    if (this.regionRoles) this.checkRoles(v, rr.bytes.subarray(start, rr.position), path, startAbs, ctx);
    return v as StructValue<F>;
  }

  /**
   * The value of a clean record at `r` (advancing past it), or undefined having read nothing: a
   * record the full walker would report anything about, or a declaration with composite fields.
   */
  decodeFast(r: ByteReader): StructValue<F> | undefined {
    const fd = this.fastDecoder();
    return fd === null ? undefined : (fd(r) as StructValue<F> | undefined);
  }

  /**
   * The compiled fast path itself (see `decodeFast`), null when the declaration has none; with
   * `spans`, the variant that also pushes the dump's spans for the record (`fd(r, ctx, path)`).
   */
  fastDecoder(spans = false): FastDecoder | null {
    if (spans) {
      if (this.spanFn === undefined) this.spanFn = compileFastDecoder({ ...this.fastPlan(), spans: { label: this.label, meaningOf } });
      return this.spanFn;
    }
    if (this.fastFn === undefined) this.fastFn = compileFastDecoder(this.fastPlan());
    return this.fastFn;
  }

  /** What the fast decoder must check to take a record: the same bound and roles as below. */
  private fastPlan(): FastPlan {
    const b = this.bound;
    const roles = this.regionRoles
      ? this.roleFields
          .filter((f) => f.role!.kind === 'checksum' || (f.role!.kind === 'length' && this.options.boundBy === undefined))
          .map((f) => ({ f, at: this.offsets.get(f.name) }))
      : [];
    return {
      fields: this.fields,
      bound: b && { at: b.at, size: b.size, min: this.requiredSize ?? b.at + b.size },
      optionalSize: this.optionalSize,
      roles,
      checksumOk: (algo, region, at, actual) => (algo === 'acpi8' ? acpiByteSum(region) === 0 : BigInt(actual) === BigInt(checksumOf(algo, region, at))),
    };
  }

  private checkRoles(v: Obj, region: Uint8Array, path: string, startAbs: number, ctx: DecodeContext): void {
    for (const f of this.roleFields) {
      const role = f.role;
      if (!role || v[f.name] === undefined) continue;
      const at = this.offsets.get(f.name);
      if (role.kind === 'length' && this.options.boundBy === undefined && Number(v[f.name]) !== region.length) {
        ctx.findings.push({ severity: 'error', code: 'length', path: joinPath(path, f.name), offset: startAbs + (at ?? 0), message: `says ${v[f.name]} but the ${this.label} occupies ${region.length} bytes` });
      } else if (role.kind === 'checksum' && at !== undefined) {
        const actual = v[f.name] as number | bigint;
        // ACPI's rule is "the bytes sum to zero": one pass; the expected byte only when it fails.
        const ok = role.algo === 'acpi8' ? acpiByteSum(region) === 0 : BigInt(actual) === BigInt(checksumOf(role.algo, region, at));
        if (!ok) {
          const expected = checksumOf(role.algo, region, at);
          ctx.findings.push({ severity: 'error', code: 'checksum', path: joinPath(path, f.name), offset: startAbs + at, message: `${role.algo} checksum is ${hexInt(actual)}, the bytes need ${hexInt(expected)}` });
        }
      }
    }
  }

  // ---- encode -------------------------------------------------------------------------------

  encode(w: ByteWriter, value: StructValue<F>, ctx: EncodeContext, path: string): void {
    const v = value as Obj;
    const start = w.position;
    this.encodeFieldsFn ??= compileFieldEncoder(this.name, this.fields);
    const patches = this.encodeFieldsFn(w, ctx, path, v);
    if (v.$trailing instanceof Uint8Array) w.bytes(v.$trailing);
    const end = w.position;
    for (const p of patches) if (p.f.role?.kind === 'length') w.patch(p.at, p.f.codec.size as 1 | 2 | 4 | 8, end - start);
    for (const p of patches) {
      if (p.f.role?.kind !== 'checksum') continue;
      const region = w.view_(start, end);
      w.patch(p.at, p.f.codec.size as 1 | 2 | 4 | 8, checksumOf(p.f.role.algo, region, p.at - start));
    }
  }

  // ---- generate, show, JSON -----------------------------------------------------------------

  arbitrary(): Arbitrary<StructValue<F>> {
    const req: Record<string, Arbitrary<unknown>> = {};
    const opt: Record<string, Arbitrary<unknown>> = {};
    for (const f of this.fields) {
      const a = f.role && f.role.kind !== 'count' ? fc.constant(f.codec.size === 8 ? 0n : 0) : f.role ? fc.constant(0) : f.codec.arbitrary(f);
      (f.optional ? opt : req)[f.name] = a;
    }
    const base = fc.record(req);
    if (Object.keys(opt).length === 0) return base as Arbitrary<StructValue<F>>;
    return fc.tuple(base, fc.option(fc.record(opt), { nil: undefined })).map(([b, o]) => ({ ...b, ...(o ?? {}) }) as StructValue<F>);
  }

  show(): string {
    return `(${this.label})`;
  }

  /** This declaration's JSON form as a JSON Schema: exactly its fields (src/core/schema/jsonSchema.ts). */
  jsonSchema(): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    for (const f of this.fields) properties[f.name] = { ...(f.label ? { description: f.label } : {}), ...codecJsonSchema(f.codec) };
    // a structure decoded past its declared fields keeps the rest; one kept whole is marked raw
    properties.$trailing = hexBytesJsonSchema();
    properties.$raw = { const: true };
    return { type: 'object', required: this.fields.filter((f) => !f.optional).map((f) => f.name), properties, additionalProperties: false };
  }

  toJson(value: StructValue<F>): Obj {
    const v = value as Obj;
    const out: Obj = {};
    if (v.$raw === true) out.$raw = true;
    for (const f of this.fields) if (v[f.name] !== undefined) out[f.name] = f.codec.toJson(v[f.name]);
    if (v.$trailing instanceof Uint8Array) out.$trailing = bytesToHex(v.$trailing);
    return out;
  }

  fromJson(j: unknown, path: string, pins: Set<string>): StructValue<F> {
    if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new NvError('json', path, undefined, `expected an object for ${this.label}`);
    const src = j as Obj;
    const known = new Set<string>(this.fields.map((f) => f.name));
    for (const k of Object.keys(src)) {
      if (!known.has(k) && k !== '$trailing' && k !== '$raw') throw new NvError('json', joinPath(path, k), undefined, `${this.label} has no field "${k}"`);
    }
    const out: Obj = {};
    if (src.$raw === true) out.$raw = true;
    for (const f of this.fields) {
      const fpath = joinPath(path, f.name);
      const jv = src[f.name];
      if (jv === undefined) {
        if (f.optional) continue;
        if (f.role) out[f.name] = f.codec.size === 8 ? 0n : 0;
        else if (f.reserved && f.codec.size !== undefined) out[f.name] = f.codec.size === 8 ? 0n : f.codec.fromJson(f.codec.size <= 4 ? 0 : '00'.repeat(f.codec.size), fpath, pins);
        else if (f.expect !== undefined) out[f.name] = f.expect;
        else throw new NvError('json', fpath, undefined, `missing field "${f.name}" of ${this.label}`);
        continue;
      }
      out[f.name] = f.codec.fromJson(jv, fpath, pins);
    }
    if (typeof src.$trailing === 'string') {
      const b = hexToBytes(src.$trailing);
      if (!b) throw new NvError('json', joinPath(path, '$trailing'), undefined, 'expected a hex byte string');
      out.$trailing = b;
    }
    return out as StructValue<F>;
  }
}

export function checksumOf(algo: 'acpi8' | 'fletcher64' | 'crc32', region: Uint8Array, at: number): number | bigint {
  if (algo === 'acpi8') return acpiChecksumFor(region, at);
  if (algo === 'fletcher64') return fletcher64(region, at);
  return crc32(region, at);
}

/** Flag names, enum names or GUID names for a value, as the dump shows them. */
export function meaningOf(f: FieldInfo, value: unknown): string | undefined {
  if (f.describe) return f.describe(value);
  if (f.flags && (typeof value === 'number' || typeof value === 'bigint')) {
    // Bits 0-63, lowest first, read as two 32-bit words (no BigInt per bit: a dump shows thousands).
    const lo = typeof value === 'number' ? value % 4294967296 : Number(value & 0xffffffffn);
    const hi = typeof value === 'number' ? Math.floor(value / 4294967296) % 4294967296 : Number((value >> 32n) & 0xffffffffn);
    const names: string[] = [];
    for (const [word, base] of [[lo, 0], [hi, 32]] as const) {
      for (let w = word, bit = base; w !== 0; w = Math.floor(w / 2), bit++) if (w % 2 === 1) names.push(f.flags[bit] ?? `bit ${bit}`);
    }
    return names.length ? names.join(', ') : 'none';
  }
  if (f.names) {
    const key = typeof value === 'string' ? value.toLowerCase() : String(value);
    return f.names[key];
  }
  return undefined;
}

/** `path` is the struct's: the field's path is joined only for a finding. */
function checkField(f: AnyField, value: unknown, path: string, offset: number, ctx: DecodeContext): void {
  if (f.expect !== undefined && value !== f.expect) {
    ctx.findings.push({ severity: 'error', code: 'unexpected-value', path: joinPath(path, f.name), offset, message: `is ${f.codec.show(value)}, expected ${f.codec.show(f.expect)}` });
  }
  if (f.reserved) {
    const nz = value instanceof Uint8Array ? !isZero(value) : value !== 0 && value !== 0n;
    if (nz) ctx.findings.push({ severity: 'warning', code: 'reserved-nonzero', path: joinPath(path, f.name), offset, message: `reserved field is not zero (${f.codec.show(value)}); kept as it is` });
  }
}
