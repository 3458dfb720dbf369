import type { AmlResultJson } from '../../../src/aml/interp/index.js';

/**
 * What acpiexec shows of a result, for comparing nvtool's with it: acpiexec names objects by their
 * last segment only in references, and prints a String as a C string, so a NUL stored into one
 * (Index(str, n) = 0 keeps ACPICA's length) ends what it shows.
 */
export function normalize(r: AmlResultJson | undefined): AmlResultJson | undefined {
  if (!r) return r;
  if (r.type === 'String' && 'value' in r && typeof r.value === 'string') return { ...r, value: r.value.split('\0')[0]! };
  if (r.type === 'Reference' && 'to' in r) return { type: 'Reference', to: r.to.split('.').pop()!.replace(/^\\/, '') };
  if (r.type === 'Package' && 'elements' in r) return { type: 'Package', elements: r.elements.map((e) => normalize(e)!) };
  return r;
}
