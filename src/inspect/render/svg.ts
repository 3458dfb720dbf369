/** The layout as an SVG picture: nested rows of boxes to scale (with a minimum width), offsets on an axis. */
import { hex, human, spaceOffset, type Layer } from '../layer.js';
import { layoutSlots, slotText } from './layout.js';

const COLORS: Record<string, string> = {
  'acpi-table': '#d9d2e9', 'label-area': '#f4cccc', namespace: '#cfe2f3', 'pfn-info': '#fce5cd', 'dax-info': '#fce5cd', btt: '#fff2cc',
  gpt: '#d9ead3', mbr: '#b6d7a8', partition: '#d0e0e3', 'xen-superblock': '#ead1dc', 'xen-reserved': '#f9cb9c', 'xen-frame-table': '#f6b26b', 'xen-m2p': '#ffd966', filesystem: '#c9daf8',
  'guest-memory': '#eeeeee', rsdp: '#b4a7d6',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderSvg(file: string, size: number, layers: readonly Layer[], width = 1200): string {
  const margin = 10;
  const rowH = 36;
  const top = 40;
  const right = width - 70;
  const slots = layoutSlots(layers, 0, size, margin, right, 44);
  const depth = slots.reduce((m, s) => Math.max(m, s.depth), 0) + 1;
  const axisY = top + depth * rowH + 10;
  const height = axisY + 60;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${margin}" y="22" font-size="14" font-weight="bold">${esc(file)} — ${size} bytes (${esc(human(size))}), layout to scale (minimum box width 44 px)</text>`,
  ];
  for (const s of slots) {
    const y = top + s.depth * rowH;
    const w = s.x1 - s.x0;
    const bad = s.layer.findings.some((f) => f.severity === 'error');
    const where = s.layer.fields.deviceSpace !== undefined ? `@${s.layer.fields.deviceSpace}:${hex(spaceOffset(s.layer))} (file @${hex(s.layer.offset)})` : `@${hex(s.layer.offset)}`;
    const title = `${s.layer.kind} ${where} +${s.layer.length} (${human(s.layer.length)}): ${s.layer.label}`;
    parts.push(`<g><title>${esc(title)}</title><rect x="${s.x0}" y="${y}" width="${w}" height="${rowH - 4}" fill="${COLORS[s.layer.kind] ?? '#eee'}" stroke="${bad ? '#cc0000' : '#444'}" stroke-width="${bad ? 2 : 1}"/>`);
    const text = slotText(s.layer, Math.floor((w - 6) / 6.6));
    if (text) parts.push(`<text x="${s.x0 + 3}" y="${y + 20}">${esc(text)}</text>`);
    parts.push('</g>');
  }
  parts.push(`<line x1="${margin}" y1="${axisY}" x2="${right}" y2="${axisY}" stroke="#000"/>`);
  let free = -Infinity;
  const first = new Map<number, number>();
  for (const s of slots) if (s.depth <= 1 && s.layer.fields.deviceSpace === undefined && !first.has(s.x0)) first.set(s.x0, s.layer.offset);
  const marks = [...first.entries()].sort((a, b) => a[0] - b[0]);
  marks.push([right, size]);
  for (const [x, off] of marks) {
    parts.push(`<line x1="${x}" y1="${axisY - 4}" x2="${x}" y2="${axisY + 4}" stroke="#000"/>`);
    if (x < free) continue;
    const t = `${hex(off)}`;
    parts.push(`<text x="${x}" y="${axisY + 16}" transform="rotate(30 ${x} ${axisY + 16})">${esc(t)}</text>`);
    free = x + 14;
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
