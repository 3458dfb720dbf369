import { fc } from './fastCheck.js';
import { hexBytesJsonSchema } from './jsonSchema.js';
import { joinPath } from '../bytes/reader.js';
import { NvError } from '../errors.js';
import { bytesToHex, hexToBytes } from '../hex.js';
import { isZero } from './codecs.js';
import { field, type Codec, type Field, type FieldOptions } from './field.js';
import type { Struct, ValueOf } from './struct.js';

/**
 * A C union of fixed size whose live member is named by a sibling field decoded before it (Xen's
 * `union { ...; uint8_t pad[128]; } u` selected by `cmd`). The value holds exactly one member, or
 * `$raw` (all the union's bytes) when the selector names no declared member. Bytes after the
 * member, up to the union's size, are kept in `$rest` so any input re-encodes exactly.
 */
export interface UnionSpec<M extends Record<string, Struct<any>>> {
  label: string;
  /** sizeof the union in the C ABI (its largest member or its pad[]). */
  size: number;
  members: M;
  /** The member the enclosing struct's already-decoded fields select, if any. */
  select: (parent: Readonly<Record<string, unknown>>) => keyof M | undefined;
}

export type UnionValue<M extends Record<string, Struct<any>>> = { [K in keyof M]?: ValueOf<M[K]> } & {
  $raw?: Uint8Array;
  $rest?: Uint8Array;
};

function memberOf<M extends Record<string, Struct<any>>>(spec: UnionSpec<M>, v: UnionValue<M>): [string, Struct<any>] | undefined {
  for (const k of Object.keys(spec.members)) if ((v as Record<string, unknown>)[k] !== undefined) return [k, spec.members[k]!];
  return undefined;
}

export function unionCodec<M extends Record<string, Struct<any>>>(spec: UnionSpec<M>): Codec<UnionValue<M>> {
  for (const [k, s] of Object.entries(spec.members)) {
    if (s.size === undefined || s.size > spec.size) throw new Error(`${spec.label}: member ${k} (${s.size ?? 'variable'} bytes) does not fit the ${spec.size}-byte union`);
  }
  return {
    size: spec.size,
    composite: true,
    // one member by name (and the bytes past it), or the whole union raw when the selector names none
    jsonSchema: () => ({
      type: 'object',
      minProperties: 1,
      maxProperties: 2,
      properties: { ...Object.fromEntries(Object.entries(spec.members).map(([k, s]) => [k, s.jsonSchema()])), $rest: hexBytesJsonSchema(), $raw: hexBytesJsonSchema() },
      additionalProperties: false,
    }),
    decode(r, _f, ctx, path, parent) {
      const sub = r.sub(spec.size, path);
      const name = spec.select(parent) as string | undefined;
      const s = name === undefined ? undefined : spec.members[name];
      if (!s) return { $raw: sub.copy(spec.size, path) } as UnionValue<M>;
      const out: Record<string, unknown> = { [name!]: s.decode(sub, undefined, ctx, joinPath(path, name!)) };
      const rest = sub.copy(sub.remaining, joinPath(path, '$rest'));
      if (rest.length) out.$rest = rest;
      return out as UnionValue<M>;
    },
    encode(w, v, ctx, path) {
      const start = w.position;
      if (v.$raw) {
        if (v.$raw.length !== spec.size) throw new NvError('encode', joinPath(path, '$raw'), undefined, `${spec.label} is ${spec.size} bytes, $raw has ${v.$raw.length}`);
        w.bytes(v.$raw);
        return;
      }
      const m = memberOf(spec, v);
      if (m) m[1].encode(w, (v as Record<string, unknown>)[m[0]] as never, ctx, joinPath(path, m[0]));
      const used = w.position - start;
      const rest = v.$rest ?? new Uint8Array(0);
      if (used + rest.length > spec.size) throw new NvError('encode', joinPath(path, '$rest'), undefined, `${spec.label}: ${used} bytes of member and ${rest.length} of $rest exceed its ${spec.size} bytes`);
      w.bytes(rest);
      w.zeros(spec.size - used - rest.length);
    },
    arbitrary: () =>
      fc.oneof(
        ...Object.entries(spec.members).map(([k, s]) => s.arbitrary().map((x) => ({ [k]: x }) as UnionValue<M>)),
        fc.uint8Array({ minLength: spec.size, maxLength: spec.size }).map((b) => ({ $raw: b }) as UnionValue<M>),
      ),
    zero: () => ({ $raw: new Uint8Array(spec.size) }) as UnionValue<M>,
    show: (v) => {
      const m = memberOf(spec, v);
      return m ? `(${spec.label}: ${m[0]})` : `(${spec.label}: ${spec.size} raw bytes)`;
    },
    toJson: (v) => {
      if (v.$raw) return { $raw: bytesToHex(v.$raw) };
      const m = memberOf(spec, v);
      const out: Record<string, unknown> = {};
      if (m) out[m[0]] = m[1].toJson((v as Record<string, unknown>)[m[0]] as never);
      // Zero padding is what the encoder writes anyway: JSON shows $rest only when it holds something.
      if (v.$rest && !isZero(v.$rest)) out.$rest = bytesToHex(v.$rest);
      return out;
    },
    fromJson(j, path, pins) {
      if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new NvError('json', path, undefined, `expected an object for ${spec.label}`);
      const o = j as Record<string, unknown>;
      const hex = (k: string) => {
        const b = typeof o[k] === 'string' ? hexToBytes(o[k] as string) : undefined;
        if (!b) throw new NvError('json', joinPath(path, k), undefined, 'expected a hex byte string');
        return b;
      };
      if (o.$raw !== undefined) return { $raw: hex('$raw') } as UnionValue<M>;
      const keys = Object.keys(o).filter((k) => !k.startsWith('$'));
      if (keys.length !== 1 || !spec.members[keys[0]!]) throw new NvError('json', path, undefined, `${spec.label} needs exactly one of ${Object.keys(spec.members).join(', ')} (or $raw)`);
      const k = keys[0]!;
      const out: Record<string, unknown> = { [k]: spec.members[k]!.fromJson(o[k], joinPath(path, k), pins) };
      if (o.$rest !== undefined) out.$rest = hex('$rest');
      return out as UnionValue<M>;
    },
  };
}

export const union = <N extends string, M extends Record<string, Struct<any>>>(name: N, spec: UnionSpec<M>, o?: FieldOptions<UnionValue<M>>): Field<N, UnionValue<M>, false> =>
  field(name, unionCodec(spec), { label: spec.label, ...o });
