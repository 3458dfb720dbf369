import { fc } from './fastCheck.js';
import { NvError } from '../errors.js';
import { resolveSize, type SizeSpec } from './codecs.js';
import { field, type Codec, type Field, type FieldOptions } from './field.js';
import { codecJsonSchema } from './jsonSchema.js';

/**
 * `count` items of a fixed-size codec, the count taken from an earlier field. The bytes for all
 * items are checked to be there before anything is allocated (the fix for ACPICA's unchecked
 * LineCount loop, style.md).
 */
export function arrayCodec<T>(item: Codec<T>, count: SizeSpec, maxArbitrary = 6): Codec<T[]> {
  const itemSize = item.size;
  if (itemSize === undefined || itemSize === 0) throw new Error('arrayCodec needs a fixed-size item');
  return {
    size: typeof count === 'number' ? count * itemSize : undefined,
    composite: true,
    fast: { kind: 'array', item, count },
    jsonSchema: () => ({ type: 'array', items: codecJsonSchema(item), ...(typeof count === 'number' ? { minItems: count, maxItems: count } : {}) }),
    decode(r, f, ctx, path, parent) {
      const n = resolveSize(count, parent);
      if (!Number.isSafeInteger(n) || n < 0) r.fail(path, `invalid count ${n}`);
      if (n * itemSize > r.remaining) {
        r.fail(path, `${n} entries of ${itemSize} bytes need ${n * itemSize} bytes but only ${r.remaining} remain`);
      }
      const out: T[] = new Array<T>(n);
      for (let i = 0; i < n; i++) {
        const at = r.offset;
        const ipath = `${path}[${i}]`;
        out[i] = item.decode(r, f, ctx, ipath, parent);
        if (ctx.spans && !item.composite) ctx.spans.push({ path: ipath, offset: at, size: itemSize, label: `${f.label}[${i}]`, value: out[i], text: item.show(out[i]!) });
      }
      return out;
    },
    encode(w, v, ctx, path, parent) {
      v.forEach((x, i) => item.encode(w, x, ctx, `${path}[${i}]`, parent));
    },
    arbitrary: (f) =>
      typeof count === 'number'
        ? fc.array(item.arbitrary({ ...f, expect: undefined }), { minLength: count, maxLength: count })
        : fc.array(item.arbitrary({ ...f, expect: undefined }), { maxLength: maxArbitrary }),
    zero: () => [],
    show: (v) => `[${v.length} entries]`,
    toJson: (v) => v.map((x) => item.toJson(x)),
    fromJson(j, path, pins) {
      if (!Array.isArray(j)) throw new NvError('json', path, undefined, 'expected an array');
      return j.map((x, i) => item.fromJson(x, `${path}[${i}]`, pins));
    },
  };
}

export const array = <N extends string, T>(name: N, item: Codec<T>, count: SizeSpec, o?: FieldOptions<T[]>): Field<N, T[], false> =>
  field(name, arrayCodec(item, count), o);
