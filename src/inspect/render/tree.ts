/** The readable tree: one line per layer (kind, offset, length, label), key fields, findings. */
import { hex, human, spaceOffset, type FieldValue, type Layer } from '../layer.js';

/** Fields holding a physical address: numbers in --json, hex in the tree (as firmware people read them). */
const ADDRESS_KEY = /^(address|base|rsdp)$|Address$/;

function show(v: FieldValue, key = ''): string {
  if (v === null) return '-';
  if (typeof v === 'string') return /[\s=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (typeof v === 'number' && ADDRESS_KEY.test(key)) return hex(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function fieldLines(l: Layer, width: number): string[] {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(l.fields)) {
    const s = `${k}=${show(v, k)}`;
    if (s.length > 160) continue; // long lists are in --json
    parts.push(s);
  }
  const lines: string[] = [];
  let cur = '';
  for (const p of parts) {
    if (cur && cur.length + 1 + p.length > width) {
      lines.push(cur);
      cur = p;
    } else cur = cur ? `${cur} ${p}` : p;
  }
  if (cur) lines.push(cur);
  return lines;
}

export function renderTree(file: string, size: number, layers: readonly Layer[], o: { fields?: boolean } = {}): string {
  const out = [`${file}  (${size} bytes, ${human(size)})`];
  const rec = (ls: readonly Layer[], prefix: string) => {
    ls.forEach((l, i) => {
      const last = i === ls.length - 1;
      const where = l.fields.deviceSpace !== undefined ? `@${l.fields.deviceSpace}:${hex(spaceOffset(l))} (file @${hex(l.offset)})` : `@${hex(l.offset)}`;
      out.push(`${prefix}${last ? '└─ ' : '├─ '}${l.kind} ${where} +${human(l.length)}  ${l.label}`);
      const inner = prefix + (last ? '   ' : '│  ');
      const bar = l.children.length ? '│ ' : '  ';
      if (o.fields !== false) for (const line of fieldLines(l, 110)) out.push(`${inner}${bar}  ${line}`);
      for (const f of l.findings) out.push(`${inner}${bar}  ${f.severity === 'error' ? '✗' : f.severity === 'warning' ? '!' : 'i'} ${f.severity} [${f.confidence}] @${hex(f.offset)} ${f.code}: ${f.message}`);
      rec(l.children, inner);
    });
  };
  rec(layers, '');
  return out.join('\n') + '\n';
}
