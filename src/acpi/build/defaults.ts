import { NvError } from '../../core/errors.js';
import type { RecordRegistry, Struct } from '../../core/schema/index.js';

/**
 * Fill the fields a hand-written description leaves out with their declaration's zero value, so a
 * user writes only what matters (`{"type": 0, "rangeIndex": 1, "address": "0x100000000"}`).
 * An optional trailing group stays absent unless one of its fields is given, then it is completed;
 * records are filled by their type's declaration.
 */
export function fillDefaults(s: Struct<any>, json: Record<string, unknown>, registry?: RecordRegistry<any>, listField = 'structures'): Record<string, unknown> {
  const out: Record<string, unknown> = { ...json };
  const optionalGiven = s.fields.some((f: { optional: boolean; name: string }) => f.optional && out[f.name] !== undefined);
  for (const f of s.fields) {
    if (out[f.name] !== undefined || (f.optional && !optionalGiven)) continue;
    if (f.expect !== undefined) out[f.name] = f.codec.toJson(f.expect);
    else if (f.codec.zero) out[f.name] = f.codec.toJson(f.codec.zero());
  }
  const list = out[listField];
  if (registry && Array.isArray(list)) {
    out[listField] = list.map((x: unknown, i: number) => {
      const o = x as { type?: unknown } | null;
      if (!o || typeof o !== 'object' || typeof o.type !== 'number') throw new NvError('platform', `${listField}[${i}].type`, undefined, 'each structure needs a numeric "type"');
      const v = registry.variants[o.type] as Struct<any> | undefined;
      return v ? fillDefaults(v, x as Record<string, unknown>) : x;
    });
  }
  return out;
}
