/**
 * Layers to scale on a line of `width` units (terminal columns or SVG pixels): every layer gets
 * at least `minWidth` units, the rest is shared in proportion to byte lengths, children inside
 * their parent's span. Shared by the terminal diagram and the SVG. Layers inside a BTT are drawn in
 * the logical device's space (`spaceOffset`/`childSpace`): a BTT arena's box holds the device bytes
 * it serves.
 */
import { childSpace, spaceOffset, type Layer } from '../layer.js';

export interface Slot {
  layer: Layer;
  depth: number;
  x0: number;
  x1: number;
}

export function layoutSlots(layers: readonly Layer[], start: number, end: number, x0: number, x1: number, minWidth: number, depth = 0, out: Slot[] = []): Slot[] {
  const W = x1 - x0;
  if (W <= 0 || end <= start) return out;
  const kids = [...layers].sort((a, b) => spaceOffset(a) - spaceOffset(b));
  type Item = { len: number; layer?: Layer; min: number; w: number };
  const items: Item[] = [];
  let at = start;
  for (const k of kids) {
    const s = Math.max(spaceOffset(k), at);
    const e = Math.min(spaceOffset(k) + k.length, end);
    if (e <= s) continue;
    if (s > at) items.push({ len: s - at, min: 0, w: 0 });
    items.push({ len: e - s, layer: k, min: minWidth, w: 0 });
    at = e;
  }
  if (at < end) items.push({ len: end - at, min: 0, w: 0 });
  const nLayers = items.filter((i) => i.layer).length;
  if (nLayers * minWidth > W) for (const i of items) if (i.layer) i.min = Math.max(1, Math.floor(W / Math.max(1, nLayers)));
  let used = 0;
  for (const i of items) {
    if (used + i.min > W) i.min = Math.max(0, W - used);
    i.w = i.min;
    used += i.min;
  }
  const rest = W - used;
  const total = items.reduce((n, i) => n + i.len, 0);
  if (rest > 0 && total > 0) {
    const shares = items.map((i) => (rest * i.len) / total);
    let given = 0;
    items.forEach((i, k) => {
      const f = Math.floor(shares[k]!);
      i.w += f;
      given += f;
    });
    const order = items.map((_, k) => k).sort((a, b) => (shares[b]! % 1) - (shares[a]! % 1));
    for (let k = 0; given < rest && k < order.length; k++, given++) items[order[k]!]!.w++;
  }
  let x = x0;
  for (const i of items) {
    if (i.layer && i.w > 0) {
      out.push({ layer: i.layer, depth, x0: x, x1: x + i.w });
      const cs = childSpace(i.layer);
      layoutSlots(i.layer.children, cs.start, cs.end, x, x + i.w, minWidth, depth + 1, out);
    }
    x += i.w;
  }
  return out;
}

const SHORT: Record<string, string> = {
  'acpi-table': 'acpi', 'label-area': 'labels', namespace: 'ns', 'pfn-info': 'pfn', 'dax-info': 'dax', btt: 'btt', gpt: 'gpt', mbr: 'mbr',
  partition: 'part', 'xen-superblock': 'xen-sb', 'xen-reserved': 'xen-rsv', 'xen-frame-table': 'xen-ft', 'xen-m2p': 'xen-m2p', filesystem: 'fs',
  'guest-memory': 'guest', rsdp: 'rsdp',
};

/** The text that fits a slot: the label, else a short name. */
export function slotText(l: Layer, room: number): string {
  const long = `${SHORT[l.kind] ?? l.kind}: ${l.label}`;
  if (long.length <= room) return long;
  if (l.label.length <= room) return l.label;
  if (room >= 8) return l.label.slice(0, room - 1) + '…';
  const short = SHORT[l.kind] ?? l.kind;
  return short.length <= room ? short : short.slice(0, Math.max(0, room));
}
