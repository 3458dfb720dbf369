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
