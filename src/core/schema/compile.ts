import type { ByteReader } from '../bytes/reader.js';
import type { ByteWriter } from '../bytes/writer.js';
import { NvError } from '../errors.js';
import { isPinned, type DecodeContext, type EncodeContext, type Span } from './context.js';
import type { AnyField } from './field.js';

/** Decodes every field of one struct into `v` (the body of `Struct.decode`). */
export type FieldDecoder = (rr: ByteReader, ctx: DecodeContext, path: string, v: Record<string, unknown>) => void;

export interface FieldDecoderHelpers {
  /** `path` is the struct's; the field's own path is built only when a finding is pushed. */
  checkField(f: AnyField, value: unknown, path: string, offset: number, ctx: DecodeContext): void;
  meaningOf(f: AnyField, value: unknown): string | undefined;
  optionalSize: number | undefined;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The field loop of a struct, unrolled into one function per declaration (as binary-parser
 * compiles its parsers): each field gets its own call site and a named property store, so V8 sees
 * monomorphic calls and a stable object shape instead of one megamorphic loop shared by every
 * struct. The generated code does what the loop did — same reads, values, spans, findings and
 * errors — but a leaf field (`Codec.leaf`) costs no path string: its path is built only when its
 * bytes are missing (the codec then fails with it, as before), for a dump span, or for a finding;
 * integers are read inline. Only field names (validated identifiers) and indexes are spliced in.
 */
export function compileFieldDecoder(fields: readonly AnyField[], checked: ReadonlySet<AnyField>, h: FieldDecoderHelpers): FieldDecoder {
  const lines: string[] = ['let optionalPresent;'];
  fields.forEach((f, i) => {
    if (!IDENTIFIER.test(f.name)) throw new Error(`field name ${JSON.stringify(f.name)} is not an identifier`);
    const fpath = `(path ? path + '.${f.name}' : '${f.name}')`;
    const leaf = f.codec.leaf;
    const size = f.codec.size;
    let body: string[];
    if (leaf !== undefined && size !== undefined && !f.codec.composite) {
      const read = leaf === 'call' ? `F[${i}].codec.decode(rr, F[${i}], ctx, '', v)` : `rr.${leaf}()`;
      body = [
        `if (rr.remaining < ${size}) F[${i}].codec.decode(rr, F[${i}], ctx, ${fpath}, v);`,
        'const at = rr.offset;',
        `const value = ${read};`,
        `v.${f.name} = value;`,
        `if (ctx.spans) pushSpan(ctx.spans, F[${i}], ${fpath}, at, ${size}, value);`,
        checked.has(f) ? `H.checkField(F[${i}], value, path, at, ctx);` : '',
      ];
    } else {
      body = [
        `const fpath = ${fpath};`,
        'const at = rr.offset;',
        `const value = F[${i}].codec.decode(rr, F[${i}], ctx, fpath, v);`,
        `v.${f.name} = value;`,
        f.codec.composite ? '' : `if (ctx.spans) pushSpan(ctx.spans, F[${i}], fpath, at, rr.offset - at, value);`,
        checked.has(f) ? `H.checkField(F[${i}], value, path, at, ctx);` : '',
      ];
    }
    body = body.filter(Boolean);
    if (f.optional) {
      lines.push('if (optionalPresent === undefined) optionalPresent = H.optionalSize === undefined || rr.remaining >= H.optionalSize;');
      lines.push(`if (optionalPresent) { ${body.join(' ')} }`);
    } else {
      lines.push(`{ ${body.join(' ')} }`);
    }
  });
  const pushSpan = (spans: Span[], f: AnyField, path: string, offset: number, size: number, value: unknown) => {
    spans.push({ path, offset, size, label: f.label, value, text: f.codec.show(value), meaning: h.meaningOf(f, value) });
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('F', 'H', 'pushSpan', `return function decodeFields(rr, ctx, path, v) {\n${lines.join('\n')}\n};`) as (
    F: readonly AnyField[],
    H: FieldDecoderHelpers,
    pushSpan: (spans: Span[], f: AnyField, path: string, offset: number, size: number, value: unknown) => void,
  ) => FieldDecoder;
  return make(fields, h, pushSpan);
}

/** A derived field left as a placeholder, to be filled once the struct is complete. */
export interface Patch {
  at: number;
  f: AnyField;
}

/** Encodes every field of one struct from `v`; returns the derived fields to patch. */
export type FieldEncoder = (w: ByteWriter, ctx: EncodeContext, path: string, v: Record<string, unknown>) => Patch[];

/**
 * The encode loop unrolled per declaration, for the same reason as the decoder: count roles are
 * taken from their array, length and checksum roles written as zero placeholders (unless pinned),
 * the optional trailing group written whole or not at all.
 */
export function compileFieldEncoder(structName: string, fields: readonly AnyField[]): FieldEncoder {
  const optional = fields.filter((f) => f.optional);
  const lines: string[] = [
    'const patches = [];',
    `const optionalPresent = ${optional.length ? optional.map((f) => `v.${f.name} !== undefined`).join(' || ') : 'false'};`,
  ];
  fields.forEach((f, i) => {
    if (!IDENTIFIER.test(f.name)) throw new Error(`field name ${JSON.stringify(f.name)} is not an identifier`);
    const zero = f.codec.size === 8 ? '0n' : '0';
    const role = f.role;
    let derive = '';
    if (role?.kind === 'count') {
      if (!IDENTIFIER.test(role.of)) throw new Error(`count target ${JSON.stringify(role.of)} is not an identifier`);
      derive = `if (!isPinned(ctx, fpath)) { const of = v.${role.of}; const n = Array.isArray(of) || of instanceof Uint8Array ? of.length : 0; val = ${f.codec.size === 8 ? 'BigInt(n)' : 'n'}; }`;
    } else if (role) {
      derive = `if (!isPinned(ctx, fpath)) { patches.push({ at: w.position, f: F[${i}] }); val = ${zero}; }`;
    }
    const body = [
      `const fpath = path ? path + '.${f.name}' : '${f.name}';`,
      `let val = v.${f.name};`,
      derive,
      `if (val === undefined) missing(fpath);`,
      `F[${i}].codec.encode(w, val, ctx, fpath, v);`,
    ].filter(Boolean);
    lines.push(f.optional ? `if (optionalPresent) { ${body.join(' ')} }` : `{ ${body.join(' ')} }`);
  });
  lines.push('return patches;');
  const missing = (path: string): never => {
    throw new NvError(structName, path, undefined, 'missing value');
  };
  const make = new Function('F', 'isPinned', 'missing', `return function encodeFields(w, ctx, path, v) {\n${lines.join('\n')}\n};`) as (
    F: readonly AnyField[],
    pinned: typeof isPinned,
    missing: (path: string) => never,
  ) => FieldEncoder;
  return make(fields, isPinned, missing);
}

/**
 * Decodes one whole struct straight from the input bytes when nothing about it needs reporting,
 * else returns undefined having read nothing (the caller then runs the full walker, which reports
 * exactly what it always did). Used when no spans are asked for.
 */
export type FastDecoder = (r: ByteReader, ctx?: DecodeContext, path?: string) => Record<string, unknown> | undefined;

export interface FastPlan {
  fields: readonly AnyField[];
  /** The length field that bounds the record (`boundBy`): where it is, its size, the least it may say. */
  bound: { at: number; size: 1 | 2 | 4; min: number } | undefined;
  /** Size of the optional trailing group; undefined when it has no fixed size. */
  optionalSize: number | undefined;
  /** Fields whose role is checked against the record's bytes once decoded, with their fixed offsets. */
  roles: readonly { f: AnyField; at: number | undefined }[];
  checksumOk(algo: 'acpi8' | 'fletcher64' | 'crc32', region: Uint8Array, at: number, actual: number | bigint): boolean;
  /**
   * Set for the variant that also records the dump's spans (`ctx.spans`, the record at `path`):
   * the same spans, in the same order, the full walker records for a clean record.
   */
  spans?: { label: string; meaningOf(f: AnyField, value: unknown): string | undefined };
}

const INT_READ: Record<'u8' | 'u16' | 'u32' | 'u64', (at: string) => string> = {
  u8: (at) => `b[${at}]`,
  u16: (at) => `(b[${at}] | (b[${at} + 1] << 8))`,
  u32: (at) => `((b[${at}] | (b[${at} + 1] << 8) | (b[${at} + 2] << 16)) + b[${at} + 3] * 16777216)`,
  u64: (at) => `d.getBigUint64(${at}, true)`,
};

/** Source that reads one fixed-size item at `at` into nothing else, or undefined when it cannot. */
function itemRead(c: AnyField['codec'], i: number, at: string): string | undefined {
  if (c.leaf !== undefined && c.leaf !== 'call') return INT_READ[c.leaf](at);
  if (c.fast?.kind === 'read') return `R[${i}](b, ${at})`;
  return undefined;
}

/**
 * The fast path binary-parser takes, generated from the same declaration: one function per
 * struct that reads every field by index from the input (`ByteReader.raw`), builds the value as
 * one plain object (a constructor call, properties in declaration order), and allocates no reader, path string or span. It takes
 * only clean records: a short or overlong length, an `expect` or reserved field that does not
 * hold, trailing bytes, a checksum or length that disagrees — anything the full walker would
 * report or throw — makes it return undefined before anything is visible, and the full walker
 * decodes the record as before. Returns null for declarations it cannot compile (composite
 * fields, variable-size optional groups, sizes computed by functions).
 */
export function compileFastDecoder(plan: FastPlan): FastDecoder | null {
  const { fields } = plan;
  const firstOptional = fields.findIndex((f) => f.optional);
  if (firstOptional >= 0 && (plan.optionalSize === undefined || fields.slice(firstOptional).some((f) => !f.optional))) return null;
  const index = new Map(fields.map((f, i) => [f.name, i]));
  /** A size or count: a constant, or an integer field decoded before field `before`. */
  const countOf = (spec: unknown, before: number): string | undefined => {
    if (typeof spec === 'number') return String(spec);
    if (typeof spec !== 'string' || !index.has(spec) || index.get(spec)! >= before) return undefined;
    const k = index.get(spec)!;
    return fields[k]!.optional ? undefined : `Number(v${k})`;
  };
  const lines: string[] = ['const b = r.raw; const d = r.rawView; const p = r.cursor; let lim = r.limit;'];
  if (plan.bound) {
    const { at, size, min } = plan.bound;
    const read = INT_READ[size === 1 ? 'u8' : size === 2 ? 'u16' : 'u32'](`p + ${at}`);
    lines.push(`if (lim - p < ${at + size}) return;`, `const len = ${read};`, `if (len < ${min} || len > lim - p) return;`, 'lim = p + len;');
  }
  lines.push('let q = p;');
  const R: unknown[] = [];
  const E: unknown[] = [];
  /** Size of a field that reads a fixed number of bytes without a count, else undefined. */
  const fixedSize = (f: AnyField): number | undefined => {
    const c = f.codec;
    if (c.leaf !== undefined && c.leaf !== 'call') return c.size;
    if (c.fast?.kind === 'read') return c.size;
    if (c.fast?.kind === 'bytes' && typeof c.fast.size === 'number') return c.fast.size;
    return undefined;
  };
  // Consecutive fixed-size fields form a run: one bounds check, reads at constant offsets from q.
  let runLeft = 0;
  let off = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const c = f.codec;
    if (!IDENTIFIER.test(f.name)) throw new Error(`field name ${JSON.stringify(f.name)} is not an identifier`);
    if (i === firstOptional) {
      lines.push(`let ${fields.slice(i).map((_, k) => `v${i + k}, o${i + k}`).join(', ')};`);
      lines.push(`const opt = lim - q >= ${plan.optionalSize};`, 'if (opt) {');
    }
    const body: string[] = [];
    const size = fixedSize(f);
    if (size !== undefined && runLeft === 0) {
      let run = 0;
      for (let k = i; k < fields.length && (k === i || k !== firstOptional); k++) {
        const s = fixedSize(fields[k]!);
        if (s === undefined) break;
        run += s;
        runLeft++;
      }
      body.push(`if (lim - q < ${run}) return;`);
      off = 0;
    }
    const at = `q + ${off}`;
    body.push(`o${i} = ${size !== undefined ? at : 'q'};`);
    const fast = c.fast;
    if (c.leaf !== undefined && c.leaf !== 'call' && size !== undefined) {
      body.push(`v${i} = ${INT_READ[c.leaf](`(${at})`)};`);
      if (f.expect !== undefined) {
        if (typeof f.expect !== 'number' && typeof f.expect !== 'bigint') return null;
        E[i] = f.expect;
        body.push(`if (v${i} !== E[${i}]) return;`);
      }
      if (f.reserved) body.push(`if (v${i} !== ${c.leaf === 'u64' ? '0n' : '0'}) return;`);
    } else if (fast?.kind === 'read' && size !== undefined) {
      if (f.reserved || (f.expect !== undefined && typeof f.expect !== 'string' && typeof f.expect !== 'number')) return null;
      R[i] = fast.read;
      body.push(`v${i} = R[${i}](b, ${at});`);
      if (f.expect !== undefined) {
        E[i] = f.expect;
        body.push(`if (v${i} !== E[${i}]) return;`);
      }
    } else if (fast?.kind === 'bytes' && size !== undefined && f.expect === undefined) {
      if (f.reserved) {
        // Non-zero reserved bytes are a finding: the full walker reports them.
        const any = size <= 16 ? Array.from({ length: size }, (_, k) => `b[${at} + ${k}]`).join(' | ') || '0' : undefined;
        body.push(any !== undefined ? `if ((${any}) !== 0) return;` : `for (let k = ${at}; k < ${at} + ${size}; k++) if (b[k] !== 0) return;`);
        body.push(`v${i} = new Uint8Array(${size});`);
      } else {
        body.push(`v${i} = b.slice(${at}, ${at} + ${size});`);
      }
    } else if (fast?.kind === 'bytes' && f.expect === undefined && !f.reserved) {
      const n = countOf(fast.size, i);
      if (n === undefined) return null;
      body.push(`const n${i} = ${n};`, `if (!(n${i} >= 0 && n${i} <= lim - q)) return;`, `v${i} = b.slice(q, q + n${i});`, `q += n${i};`);
    } else if (fast?.kind === 'tail' && f.expect === undefined && !f.reserved) {
      body.push(`v${i} = b.slice(q, lim);`, 'q = lim;');
    } else if (fast?.kind === 'array' && f.expect === undefined && !f.reserved) {
      const n = countOf(fast.count, i);
      const isize = fast.item.size;
      if (n === undefined || isize === undefined) return null;
      if (fast.item.fast?.kind === 'read') R[i] = fast.item.fast.read;
      const read = itemRead(fast.item, i, 'q');
      if (read === undefined) return null;
      body.push(
        `const n${i} = ${n};`,
        `if (!(Number.isSafeInteger(n${i}) && n${i} >= 0 && n${i} * ${isize} <= lim - q)) return;`,
        `v${i} = new Array(n${i});`,
        `for (let k = 0; k < n${i}; k++) { v${i}[k] = ${read}; q += ${isize}; }`,
      );
    } else {
      return null;
    }
    if (size !== undefined) {
      off += size;
      if (--runLeft === 0) body.push(`q += ${off};`);
    }
    lines.push(f.optional ? body.join(' ') : `let v${i}, o${i}; ${body.join(' ')}`);
  }
  if (firstOptional >= 0) lines.push('}');
  if (plan.bound) lines.push('if (q !== lim) return;');
  const C: AnyField[] = [];
  plan.roles.forEach(({ f, at }) => {
    const k = index.get(f.name)!;
    const role = f.role!;
    if (role.kind === 'length') {
      lines.push(`if (v${k} !== undefined && Number(v${k}) !== q - p) return;`);
    } else if (role.kind === 'checksum' && at !== undefined) {
      C[k] = f;
      lines.push(`if (v${k} !== undefined && !H.checksumOk(C[${k}].role.algo, b.subarray(p, q), ${at}, v${k})) return;`);
    }
  });
  // The value is built by a constructor whose prototype is Object.prototype (a plain object, the
  // same shape and keys as a literal), not by an object literal: V8 tracks a literal's allocation
  // site and, once a scavenge finds a table's values still alive mid-decode, may pretenure every
  // later record into the old generation for the rest of the process (seen: NFIT decode 3x slower,
  // mark-compacts instead of scavenges, in some runs and not others). `new` has no allocation site.
  const args = (upTo: number) => fields.slice(0, upTo).map((f) => `v${index.get(f.name)}`).join(', ');
  const ctor = (name: string, upTo: number) =>
    `function ${name}(${args(upTo)}) { ${fields.slice(0, upTo).map((f) => `this.${f.name} = v${index.get(f.name)};`).join(' ')} }\n${name}.prototype = Object.prototype;`;
  const ctors = firstOptional >= 0 ? `${ctor('Full', fields.length)}\n${ctor('Short', firstOptional)}` : ctor('Full', fields.length);
  lines.push(firstOptional >= 0 ? `const v = opt ? new Full(${args(fields.length)}) : new Short(${args(firstOptional)});` : `const v = new Full(${args(fields.length)});`);
  const IT: (AnyField['codec'] | undefined)[] = [];
  if (plan.spans) {
    // The spans the full walker records (Struct.decode, compileFieldDecoder, arrayCodec), in its order.
    lines.push('const S = ctx.spans; const a0 = r.offset - p;');
    lines.push('S.push({ path, offset: a0 + p, size: q - p, label: H.spans.label, value: undefined, group: true });');
    fields.forEach((f, i) => {
      const fpath = `(path ? path + '.${f.name}' : '${f.name}')`;
      const fast = f.codec.fast;
      let push: string;
      if (fast?.kind === 'array') {
        IT[i] = fast.item;
        push = `{ const fp = ${fpath}; for (let k = 0; k < v${i}.length; k++) S.push({ path: fp + '[' + k + ']', offset: a0 + o${i} + k * ${fast.item.size}, size: ${fast.item.size}, label: F[${i}].label + '[' + k + ']', value: v${i}[k], text: IT[${i}].show(v${i}[k]) }); }`;
      } else {
        const size = fixedSize(f) ?? (fast?.kind === 'tail' ? `lim - o${i}` : `n${i}`);
        push = `S.push({ path: ${fpath}, offset: a0 + o${i}, size: ${size}, label: F[${i}].label, value: v${i}, text: F[${i}].codec.show(v${i}), meaning: H.spans.meaningOf(F[${i}], v${i}) });`;
      }
      lines.push(f.optional ? `if (opt) ${push}` : push);
    });
  }
  lines.push('r.moveTo(q);', 'return v;');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('R', 'E', 'C', 'H', 'F', 'IT', `${ctors}\nreturn function fastDecode(r, ctx, path) {\n${lines.join('\n')}\n};`) as (
    R: unknown[],
    E: unknown[],
    C: AnyField[],
    H: FastPlan,
    F: readonly AnyField[],
    IT: (AnyField['codec'] | undefined)[],
  ) => FastDecoder;
  return make(R, E, C, plan, fields, IT);
}
