/** `--hexdump`: the bytes of every structure inspect decoded, one row per field, annotated. */
import { isNvError } from '../../core/errors.js';
import { decodeStruct, type Span } from '../../core/schema/index.js';
import { hex, walk, type DumpRef, type Layer } from '../layer.js';

const hx = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

function rawRows(bytes: Uint8Array, base: number, max = 256): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.min(bytes.length, max); i += 16) out.push(`  ${hex(base + i).padStart(12)}  ${hx(bytes.subarray(i, i + 16))}`);
  return out;
}

export function renderHexdump(layers: readonly Layer[], dumps: WeakMap<Layer, DumpRef[]>, read: (off: number, len: number) => Uint8Array): string {
  const out: string[] = [];
  for (const { layer: l } of walk(layers)) {
    for (const d of dumps.get(l) ?? []) {
      out.push('', `== ${l.kind} @${hex(l.offset)}: ${d.title} [${hex(d.offset)} +${d.length}]`);
      const bytes = (d.read ?? read)(d.offset, Math.max(d.length, d.struct.size ?? 0));
      let spans: Span[] = [];
      try {
        spans = decodeStruct(d.struct, bytes, { base: d.offset, spans: true }).spans ?? [];
      } catch (e) {
        if (!isNvError(e)) throw e;
        out.push(`  (not decodable: ${e.message})`, ...rawRows(bytes, d.offset));
        continue;
      }
      for (const s of spans) {
        if (s.group) continue;
        const b = bytes.subarray(s.offset - d.offset, s.offset - d.offset + Math.min(s.size, 16));
        const text = s.text ?? String(s.value);
        const at = d.toFile ? d.toFile(s.offset) : s.offset;
        const mark = l.findings.some((f) => f.offset >= at && f.offset < at + s.size) ? '  <-- finding' : '';
        out.push(`  ${hex(s.offset).padStart(12)}  ${(hx(b) + (s.size > 16 ? ' …' : '')).padEnd(50)} ${s.label} = ${text.length > 60 ? text.slice(0, 57) + '...' : text}${s.meaning ? ` [${s.meaning}]` : ''}${mark}`);
      }
    }
  }
  return out.join('\n').replace(/^\n/, '') + '\n';
}
