/** The layout drawn to scale in the terminal: one row of boxes per nesting depth, offsets below. */
import { human, type Layer } from '../layer.js';
import { layoutSlots, slotText } from './layout.js';

export function renderDiagram(size: number, layers: readonly Layer[], width = 100): string {
  if (size <= 0 || !layers.length) return '';
  const slots = layoutSlots(layers, 0, size, 0, width, 5);
  const depth = slots.reduce((m, s) => Math.max(m, s.depth), 0) + 1;
  const rows = Array.from({ length: depth }, () => Array<string>(width).fill(' '));
  for (const s of slots) {
    const row = rows[s.depth]!;
    const w = s.x1 - s.x0;
    if (w === 1) {
      row[s.x0] = '|';
      continue;
    }
    const text = slotText(s.layer, w - 2);
    const cell = `[${text}${'─'.repeat(Math.max(0, w - 2 - text.length))}]`;
    for (let i = 0; i < w; i++) row[s.x0 + i] = cell[i]!;
  }
  // Offsets of the boxes of the first two rows, where they fit.
  const marks = new Map<number, number>();
  for (const s of slots) if (s.depth <= 1 && s.layer.fields.deviceSpace === undefined && !marks.has(s.x0)) marks.set(s.x0, s.layer.offset);
  const axis = Array<string>(width + 12).fill(' ');
  const ticks = Array<string>(width + 1).fill('─');
  let free = 0;
  for (const [x, off] of [...marks.entries()].sort((a, b) => a[0] - b[0])) {
    ticks[x] = '┬';
    const t = off === 0 ? '0' : human(off).replace(' ', '');
    if (x < free) continue;
    for (let i = 0; i < t.length; i++) axis[x + i] = t[i]!;
    free = x + t.length + 1;
  }
  ticks[width] = '┤';
  const endText = human(size).replace(' ', '');
  const endAt = Math.max(free, width - endText.length + 1);
  for (let i = 0; i < endText.length; i++) axis[endAt + i] = endText[i]!;
  return [...rows.map((r) => r.join('').trimEnd()), ticks.join(''), axis.join('').trimEnd()].join('\n') + '\n';
}
